package io.el4ner.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.Entity;
import io.el4ner.api.NerResult;
import io.el4ner.api.Stage;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The sentence, scripted members and checks that the ensemble tests share. */
final class EnsembleFixtures {
    static final String S = "Angela Merkel met Emmanuel Macron in Paris on Monday.";

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

    static final Map<String, String> GOLD = Map.of("Angela Merkel", "PER", "Emmanuel Macron", "PER", "Paris", "LOC");

    static ScriptedMember good(String name) {
        return new ScriptedMember(name)
                .extracts("{\"entities\": [\"Angela Merkel\", \"Emmanuel Macron\", \"Paris\"]}")
                .on(Stage.CLASSIFICATION, r -> labelsFrom(r, GOLD))
                .on(Stage.VALIDATION, r -> verdicts(r, List.of()));
    }

    static EnsembleNer.Builder base() {
        return EnsembleNer.builder()
                .entityType("PER", "people")
                .entityType("LOC", "places")
                .entityType("ORG", "organisations");
    }

    static List<String> texts(NerResult r) {
        return r.entities().stream().map(e -> e.text() + "/" + e.type()).toList();
    }

    static void assertOffsetsHold(NerResult r) {
        for (Entity e : r.entities()) {
            assertThat(r.text().substring(e.start(), e.end())).isEqualTo(e.text());
        }
    }

    /** One sentence of about 90 words that needs several windows at a 200-token context, ending with {@code tail}. */
    static String longSentence(String tail) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            sb.append("filler").append(i).append(' ');
        }
        sb.append("Angela Merkel spoke and ");
        for (int i = 0; i < 40; i++) {
            sb.append("more").append(i).append(' ');
        }
        return sb.append(tail).toString();
    }

    private EnsembleFixtures() {
    }
}
