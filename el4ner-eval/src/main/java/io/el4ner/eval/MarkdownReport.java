package io.el4ner.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/** Renders a report's JSON tree ({@link EvaluationReport#json()}) as Markdown tables. */
final class MarkdownReport {
    private MarkdownReport() {
    }

    /**
     * @param root a report's JSON tree
     * @return the report as Markdown
     */
    static String render(JsonNode root) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Evaluation: ").append(root.path("title").asText()).append("\n\n");
        sb.append(root.path("sentences").asInt()).append(" sentences, ").append(root.path("goldEntities").asInt())
                .append(" gold entities, ").append(root.path("failedSentences").asInt()).append(" failed, ")
                .append(root.path("degradedSentences").asInt()).append(" degraded (failed ones included)");
        if (root.has("resumedSentences")) {
            sb.append(", ").append(root.path("resumedSentences").asInt()).append(" resumed from an earlier run");
        }
        sb.append(".\n\n");
        JsonNode causes = root.path("failureCauses");
        if (causes.path("errors").asInt() > 0) {
            sb.append("## Most frequent errors\n\n").append(causes.path("errors").asInt())
                    .append(" errors in failed or degraded sentences, ").append(causes.path("distinct").asInt())
                    .append(" distinct causes (each sentence's are under `memberErrors` in predictions.jsonl).\n\n"
                            + "| errors | stage | member | cause |\n|---|---|---|---|\n");
            for (JsonNode c : causes.path("top")) {
                sb.append("| ").append(c.path("count").asInt()).append(" | ").append(c.path("stage").asText())
                        .append(" | ").append(c.path("member").asText()).append(" | ")
                        .append(c.path("cause").asText().replace("|", "\\|")).append(" |\n");
            }
            sb.append('\n');
        }
        sb.append("## F1 by stage and member (exact span and type)\n\n");
        sb.append("| row | precision | recall | F1 | 95% interval | macro F1 | tp | fp | fn |\n|---|---|---|---|---|---|---|---|---|\n");
        root.path("rows").fields().forEachRemaining(e -> {
            JsonNode m = e.getValue().path("micro");
            JsonNode ci = e.getValue().path("f1Interval95");
            sb.append("| ").append(e.getKey()).append(" | ").append(pct(m.path("precision"))).append(" | ")
                    .append(pct(m.path("recall"))).append(" | **").append(pct(m.path("f1"))).append("** | ")
                    .append(pct(ci.path("low"))).append("–").append(pct(ci.path("high"))).append(" | ")
                    .append(pct(e.getValue().path("macroF1"))).append(" | ").append(m.path("tp").asInt()).append(" | ")
                    .append(m.path("fp").asInt()).append(" | ").append(m.path("fn").asInt()).append(" |\n");
        });
        sb.append("\n## Final answer per type\n\n| type | precision | recall | F1 | tp | fp | fn |\n|---|---|---|---|---|---|---|\n");
        root.path("overall").path("types").fields().forEachRemaining(e -> sb.append("| ").append(e.getKey())
                .append(" | ").append(pct(e.getValue().path("precision"))).append(" | ")
                .append(pct(e.getValue().path("recall"))).append(" | ").append(pct(e.getValue().path("f1")))
                .append(" | ").append(e.getValue().path("tp").asInt()).append(" | ").append(e.getValue().path("fp").asInt())
                .append(" | ").append(e.getValue().path("fn").asInt()).append(" |\n"));
        JsonNode v = root.path("validator");
        if (v.size() > 0) {
            sb.append("\n## Validation\n\n| kept, right | removed, wrong | removed, right (over-refusal) | kept, wrong |\n"
                    + "|---|---|---|---|\n| ").append(v.path("keptRight").asInt()).append(" | ")
                    .append(v.path("removedWrong").asInt()).append(" | ").append(v.path("removedRight").asInt())
                    .append(" | ").append(v.path("keptWrong").asInt()).append(" |\n");
        }
        for (String group : List.of("datasets", "languages")) {
            if (root.path(group).size() > 0) {
                String one = group.substring(0, group.length() - 1);
                sb.append("\n## Per ").append(one).append("\n\n| ").append(one)
                        .append(" | sentences | precision | recall | F1 | 95% interval |\n|---|---|---|---|---|---|\n");
                root.path(group).fields().forEachRemaining(e -> sb.append("| ").append(e.getKey()).append(" | ")
                        .append(e.getValue().path("sentences").asInt()).append(" | ")
                        .append(pct(e.getValue().path("micro").path("precision"))).append(" | ")
                        .append(pct(e.getValue().path("micro").path("recall"))).append(" | ")
                        .append(pct(e.getValue().path("micro").path("f1"))).append(" | ")
                        .append(pct(e.getValue().path("f1Interval95").path("low"))).append("–")
                        .append(pct(e.getValue().path("f1Interval95").path("high"))).append(" |\n"));
            }
        }
        sb.append("\n## Calls, tokens and latency\n\n| stage | member | calls | failures | prompt tokens | completion tokens | mean latency (ms) |\n|---|---|---|---|---|---|---|\n");
        for (JsonNode e : root.path("usage").path("entries")) {
            sb.append("| ").append(e.path("stage").asText()).append(" | ").append(e.path("member").asText())
                    .append(" | ").append(e.path("calls").asLong()).append(" | ").append(e.path("failures").asLong())
                    .append(" | ").append(e.path("promptTokens").asLong()).append(" | ")
                    .append(e.path("completionTokens").asLong()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", e.path("meanLatencyMillis").asDouble())).append(" |\n");
        }
        sb.append("\nWall time per sentence: ").append(String.format(Locale.ROOT, "%.1f ms",
                root.path("usage").path("wallMillisPerSentence").asDouble())).append(".\n");
        return sb.toString();
    }

    private static String pct(JsonNode n) {
        return String.format(Locale.ROOT, "%.1f", 100 * n.asDouble());
    }
}
