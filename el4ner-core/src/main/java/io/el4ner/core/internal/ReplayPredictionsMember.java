package io.el4ner.core.internal;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Provenance;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.TypedSpan;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.internal.llm.StageAnswers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Answers every stage from recorded predictions (one labelled sentence per input sentence, matched by text), so
 * that real models' predictions, ours or published ones, go through the real aggregation stages: extraction →
 * the recorded span strings; classification → the recorded type of each asked span, or {@code NONE};
 * validation → true exactly when the record has that span with that type. Reads only the request's structured
 * context, never the prompt. A sentence without a record fails the call (the result is then degraded).
 */
public final class ReplayPredictionsMember implements ModelMember {
    private final String name;
    private final Map<String, Demonstration> bySentence = new HashMap<>();

    /**
     * @param name the member's name
     * @param predictions the recorded predictions; the first record of a sentence wins
     */
    public ReplayPredictionsMember(String name, List<Demonstration> predictions) {
        this.name = name;
        for (Demonstration d : predictions) {
            bySentence.putIfAbsent(d.text(), d);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        TaskContext c = request.context();
        Demonstration found = bySentence.get(c.sentence());
        final Demonstration record = found != null ? found : bySentence.get(c.sentence().strip());
        if (record == null) {
            throw new NonRetriableBackendException(name, "member '" + name + "' has no recorded prediction for the "
                    + "sentence: " + abbreviate(c.sentence()));
        }
        Map<String, String> typeOf = new HashMap<>();
        LinkedHashSet<String> spans = new LinkedHashSet<>();
        for (LabeledSpan s : record.spans()) {
            spans.add(record.surface(s));
            typeOf.putIfAbsent(record.surface(s), s.type());
        }
        String text = switch (c.stage()) {
            case PRE_EXTRACTION, EXTRACTION -> StageAnswers.extraction(new ArrayList<>(spans));
            case CLASSIFICATION -> StageAnswers.classification(c.spans().stream()
                    .map(s -> new TypedSpan(s, typeOf.getOrDefault(s, Provenance.NOT_AN_ENTITY))).toList());
            case VALIDATION -> StageAnswers.validation(c.typedSpans(), c.typedSpans().stream()
                    .map(t -> record.spans().stream().anyMatch(s -> record.surface(s).equals(t.text())
                            && s.type().equals(t.type()))).toList());
        };
        return ChatResponse.of(text, TokenUsage.UNREPORTED);
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
