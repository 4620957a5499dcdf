package io.el4ner.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.Stage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report's calls, tokens and latency: every sentence's usage summed by stage and member, in pipeline order. */
final class UsageTotals {
    private UsageTotals() {
    }

    /**
     * @param stage a stage as the predictions file writes it ({@code extraction})
     * @return its place in the pipeline ({@link Stage} order); a stage el4ner does not know comes after them
     */
    static int stageRank(String stage) {
        for (Stage s : Stage.values()) {
            if (s.name().equalsIgnoreCase(stage)) {
                return s.ordinal();
            }
        }
        return Stage.values().length;
    }

    /**
     * Sums the usage of every sentence by stage and member: stages in pipeline order ({@link Stage}), and in each
     * stage the members in ensemble order (that of the {@code member:*} rows), then any other member in the order
     * first seen.
     */
    static ObjectNode json(JsonNode[] lines, List<String> memberOrder) {
        Map<List<String>, long[]> byStageMember = new LinkedHashMap<>(); // calls, failures, prompt, completion, latency
        List<String> members = new ArrayList<>(memberOrder);
        long wall = 0;
        for (JsonNode n : lines) {
            wall += n.path("wallMillis").asLong(0);
            for (JsonNode u : n.path("usage")) {
                String member = u.path("member").asText();
                if (!members.contains(member)) {
                    members.add(member);
                }
                long[] a = byStageMember.computeIfAbsent(List.of(u.path("stage").asText(), member),
                        k -> new long[5]);
                a[0] += u.path("calls").asLong();
                a[1] += u.path("failures").asLong();
                a[2] += u.path("promptTokens").asLong();
                a[3] += u.path("completionTokens").asLong();
                a[4] += u.path("latencyMillis").asLong();
            }
        }
        List<Map.Entry<List<String>, long[]>> sorted = new ArrayList<>(byStageMember.entrySet());
        sorted.sort(Comparator.comparingInt((Map.Entry<List<String>, long[]> e) -> stageRank(e.getKey().get(0)))
                .thenComparing(e -> stageRank(e.getKey().get(0)) < Stage.values().length ? "" : e.getKey().get(0))
                .thenComparingInt(e -> members.indexOf(e.getKey().get(1))));
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("wallMillis", wall);
        o.put("wallMillisPerSentence", lines.length == 0 ? 0 : (double) wall / lines.length);
        var entries = o.putArray("entries");
        Map<String, long[]> byStage = new LinkedHashMap<>();
        for (Map.Entry<List<String>, long[]> e : sorted) {
            String stage = e.getKey().get(0);
            long[] a = e.getValue();
            entries.addObject().put("stage", stage).put("member", e.getKey().get(1)).put("calls", a[0])
                    .put("failures", a[1]).put("promptTokens", a[2]).put("completionTokens", a[3])
                    .put("latencyMillis", a[4]).put("meanLatencyMillis", a[0] == 0 ? 0 : (double) a[4] / a[0]);
            long[] s = byStage.computeIfAbsent(stage, x -> new long[5]);
            for (int i = 0; i < 5; i++) {
                s[i] += a[i];
            }
        }
        var stages = o.putObject("stages");
        byStage.forEach((stage, a) -> stages.putObject(stage).put("calls", a[0]).put("failures", a[1])
                .put("promptTokens", a[2]).put("completionTokens", a[3]).put("latencyMillis", a[4])
                .put("callsPerSentence", lines.length == 0 ? 0 : (double) a[0] / lines.length));
        return o;
    }
}
