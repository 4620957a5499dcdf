package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.AnswerContract;
import io.el4ner.api.Stage;
import java.io.IOException;
import java.util.Locale;

/**
 * When to re-ask a model whose answer is not its stage's JSON, and what to say. The answer shapes themselves, and the
 * JSON Schema sent for structured outputs, are {@link AnswerContract}'s.
 */
public final class Reasks {
    private Reasks() {
    }

    /**
     * Whether an answer is readable as the stage's JSON (or, for a choice, as {@code true}/{@code false}). A light
     * check, not the core's lenient parser: it decides whether to re-ask, nothing more.
     *
     * @param stage the stage
     * @param text the answer
     * @param choice whether a bare true/false was asked for
     * @return whether the answer has the expected shape
     */
    public static boolean acceptable(Stage stage, String text, boolean choice) {
        String t = stripFence(text.strip());
        if (choice) {
            String v = t.replace("\"", "").strip().toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return true;
            }
        }
        try {
            JsonNode node = Json.MAPPER.readTree(t);
            return node != null && node.isObject() && node.path(AnswerContract.key(stage)).isArray();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @param stage the stage
     * @param choice whether a bare true/false was asked for
     * @return the short correction sent with a re-ask
     */
    public static String correction(Stage stage, boolean choice) {
        String shape = choice ? "true or false" : switch (stage) {
            case PRE_EXTRACTION, EXTRACTION -> "{\"entities\": [\"span\", ...]}";
            case CLASSIFICATION -> "{\"labels\": [{\"span\": \"...\", \"type\": \"TYPE or NONE\"}, ...]}";
            case VALIDATION -> "{\"verdicts\": [{\"span\": \"...\", \"type\": \"...\", \"valid\": true or false}, ...]}";
        };
        return "Your previous answer could not be read. Answer again with " + (choice ? "" : "JSON ")
                + "only, exactly in this form: " + shape;
    }

    private static String stripFence(String t) {
        if (t.startsWith("```")) {
            int nl = t.indexOf('\n');
            int end = t.lastIndexOf("```");
            if (nl > 0 && end > nl) {
                return t.substring(nl + 1, end).strip();
            }
        }
        return t;
    }
}
