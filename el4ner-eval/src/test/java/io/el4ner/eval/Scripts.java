package io.el4ner.eval;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.Stage;
import io.el4ner.core.EnsembleNer;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The sentence, gold labels and well-behaved scripted members the evaluation tests run an ensemble on. */
final class Scripts {
    static final String S = "Angela Merkel met Emmanuel Macron in Paris on Monday.";

    static final Map<String, String> GOLD = Map.of("Angela Merkel", "PER", "Emmanuel Macron", "PER", "Paris", "LOC");

    private Scripts() {
    }

    /** Labels every asked span from a table; spans not in the table are NONE. */
    static String labelsFrom(ChatRequest r, Map<String, String> table) {
        return r.context().spans().stream()
                .map(s -> "{\"span\": \"" + s + "\", \"type\": \"" + table.getOrDefault(s, "NONE") + "\"}")
                .collect(Collectors.joining(", ", "{\"labels\": [", "]}"));
    }

    /** Judges every asked entity valid unless its span is in {@code reject}. */
    static String verdicts(ChatRequest r, List<String> reject) {
        return r.context().typedSpans().stream()
                .map(t -> "{\"span\": \"" + t.text() + "\", \"type\": \"" + t.type() + "\", \"valid\": "
                        + !reject.contains(t.text()) + "}")
                .collect(Collectors.joining(", ", "{\"verdicts\": [", "]}"));
    }

    /** A member that finds the gold entities of {@link #S} and types and validates them right. */
    static ScriptedMember good(String name) {
        return new ScriptedMember(name)
                .extracts("{\"entities\": [\"Angela Merkel\", \"Emmanuel Macron\", \"Paris\"]}")
                .on(Stage.CLASSIFICATION, r -> labelsFrom(r, GOLD))
                .on(Stage.VALIDATION, r -> verdicts(r, List.of()));
    }

    /** A builder with the types PER, LOC and ORG. */
    static EnsembleNer.Builder base() {
        return EnsembleNer.builder()
                .entityType("PER", "people")
                .entityType("LOC", "places")
                .entityType("ORG", "organisations");
    }
}
