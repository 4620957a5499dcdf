package io.el4ner.core.internal.llm;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.Stage;
import io.el4ner.api.TypedSpan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes answers in the JSON shapes the default prompts ask for ({@link AnswerContract}), for members that answer
 * without a model.
 */
public final class StageAnswers {
    private StageAnswers() {
    }

    public static String extraction(List<String> spans) {
        return Prompts.json(Map.of(AnswerContract.key(Stage.EXTRACTION), spans));
    }

    public static String classification(List<TypedSpan> labels) {
        List<Map<String, String>> items = new ArrayList<>();
        for (TypedSpan l : labels) {
            Map<String, String> item = new LinkedHashMap<>();
            item.put("span", l.text());
            item.put("type", l.type());
            items.add(item);
        }
        return Prompts.json(Map.of(AnswerContract.key(Stage.CLASSIFICATION), items));
    }

    public static String validation(List<TypedSpan> asked, List<Boolean> valid) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < asked.size(); i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("span", asked.get(i).text());
            item.put("type", asked.get(i).type());
            item.put("valid", valid.get(i));
            items.add(item);
        }
        return Prompts.json(Map.of(AnswerContract.key(Stage.VALIDATION), items));
    }
}
