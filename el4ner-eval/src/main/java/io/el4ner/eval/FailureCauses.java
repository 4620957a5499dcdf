package io.el4ner.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's most frequent errors: the member errors of failed and degraded sentences, counted by cause, with
 * what belongs to one sentence taken out of each message so that the same cause counts once.
 */
final class FailureCauses {
    /** How many of the most frequent causes the report lists. */
    static final int TOP_CAUSES = 3;
    /** The most characters of a cause kept. */
    static final int MAX_CAUSE_CHARS = 300;
    /** The shortest start of a sentence taken for a quote of it in a message (shorter sentences: whole only). */
    private static final int MIN_QUOTE = 12;

    /**
     * Counts the member errors of failed and degraded sentences by cause: stage, member and message with what
     * belongs to the sentence (its text, or the start of it a message quotes) replaced by {@code …}. A failed line
     * without {@code memberErrors} (the failure was not the members', or an older el4ner wrote it) counts its
     * {@code failure} message, with an empty stage and member.
     */
    static ObjectNode json(List<EvaluationItem> items, JsonNode[] lines) {
        Map<List<String>, int[]> counts = new LinkedHashMap<>();
        int errors = 0;
        for (int i = 0; i < lines.length; i++) {
            String text = items.get(i).sentence().text();
            JsonNode me = lines[i].path("memberErrors");
            if (me.isArray() && me.size() > 0) {
                for (JsonNode e : me) {
                    counts.computeIfAbsent(List.of(e.path("stage").asText(), e.path("member").asText(),
                            cause(e.path("message").asText(), text)), k -> new int[1])[0]++;
                    errors++;
                }
            } else if (lines[i].has("failure")) {
                counts.computeIfAbsent(List.of("", "", cause(lines[i].path("failure").asText(), text)),
                        k -> new int[1])[0]++;
                errors++;
            }
        }
        List<Map.Entry<List<String>, int[]>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort((a, b) -> Integer.compare(b.getValue()[0], a.getValue()[0])); // stable: first seen first
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("errors", errors);
        o.put("distinct", counts.size());
        var top = o.putArray("top");
        for (var e : sorted.subList(0, Math.min(TOP_CAUSES, sorted.size()))) {
            top.addObject().put("count", e.getValue()[0]).put("stage", e.getKey().get(0))
                    .put("member", e.getKey().get(1)).put("cause", e.getKey().get(2));
        }
        return o;
    }

    /**
     * @param message an error message about one sentence
     * @param sentence the sentence's text
     * @return the message with the sentence, or the longest start of it (at least {@value #MIN_QUOTE} characters)
     *         that it quotes, and a {@code ...} right after, replaced by {@code …}; whitespace runs made one space;
     *         at most {@value #MAX_CAUSE_CHARS} characters
     */
    static String cause(String message, String sentence) {
        String m = message;
        if (!sentence.isEmpty()) {
            int min = Math.min(sentence.length(), MIN_QUOTE);
            for (int len = Math.min(sentence.length(), m.length()); len >= min; len--) {
                int at = m.indexOf(sentence.substring(0, len));
                if (at >= 0) {
                    int end = at + len;
                    if (m.startsWith("...", end)) {
                        end += 3;
                    } else if (m.startsWith("\u2026", end)) {
                        end += 1;
                    }
                    m = m.substring(0, at) + "\u2026" + m.substring(end);
                    break;
                }
            }
        }
        m = m.strip().replaceAll("\\s+", " ");
        return m.length() <= MAX_CAUSE_CHARS ? m : m.substring(0, MAX_CAUSE_CHARS - 1) + "\u2026";
    }

    private FailureCauses() {
    }
}
