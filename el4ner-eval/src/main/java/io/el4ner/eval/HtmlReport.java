package io.el4ner.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a report's JSON tree ({@link EvaluationReport#json()}) as one self-contained page: inline CSS, inline
 * SVG charts, no script and nothing fetched. The page is polyglot HTML5 (well-formed XML in the XHTML namespace),
 * so a browser and an XML parser read the same document. Every text that comes from the run (title, member
 * names, types, causes, dataset names) is escaped, and characters XML cannot hold are replaced.
 *
 * <p>Charts are horizontal bars on a labelled value axis (ticks, gridlines, unit); where the report has a 95%
 * bootstrap interval the bar carries it as an error bar. Each chart has an SVG {@code title} and {@code desc}
 * (referenced by {@code aria-labelledby}) and each bar a {@code title} with its exact numbers; the same numbers
 * are in the tables next to it.
 */
final class HtmlReport {
    /** Chart width in SVG user units (pixels at 100%). */
    static final int WIDTH = 820;
    private static final double CHAR_W = 6.8; // mean advance of a 12px sans-serif character, generous
    private static final int MAX_LABEL_CHARS = 34;

    // Okabe–Ito colours: distinguishable with colour-blindness and in greyscale print by their lightness
    private static final String BLUE = "#0072B2";
    private static final String SKY = "#56B4E9";
    private static final String ORANGE = "#E69F00";
    private static final String GREEN = "#009E73";
    private static final String VERMILLION = "#D55E00";
    private static final String PURPLE = "#CC79A7";
    private static final String GREY = "#999999";

    private static final String CSS = """
            :root{color-scheme:light}
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;\
            max-width:960px;margin:2em auto;padding:0 1em;color:#1a1a1a;background:#fff;line-height:1.45}
            h1{font-size:1.6em;margin-bottom:.2em}
            h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
            p.lead{font-size:1.1em}
            p.note,figcaption,caption{color:#555;font-size:.9em}
            nav ol{columns:2;font-size:.9em;padding-left:1.4em}
            table{border-collapse:collapse;margin:.6em 0 1em;font-variant-numeric:tabular-nums;font-size:.92em}
            caption{caption-side:top;text-align:left;padding-bottom:.3em}
            th,td{border:1px solid #ccc;padding:3px 8px;text-align:right;vertical-align:top}
            td{white-space:nowrap}
            th{background:#f3f3f3;font-weight:600}
            th.text,td.text{text-align:left}
            td.text{white-space:normal}
            td.key{white-space:nowrap}
            td.cause{text-align:left;overflow-wrap:anywhere;max-width:32em}
            tr.final td,tr.total td{font-weight:600}
            tr.total td{background:#fafafa}
            tfoot td{border-top:2px solid #999}
            .swatch{display:inline-block;width:.8em;height:.8em;margin-right:.35em;vertical-align:baseline;\
            border:1px solid #0003}
            figure{margin:1.2em 0}
            figcaption{font-weight:600;color:#1a1a1a;font-size:.95em;margin-bottom:.2em}
            svg.chart{display:block;max-width:100%;height:auto;font-family:inherit}
            svg.chart text{fill:#1a1a1a}
            code{font-size:.95em}
            *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
            @page{margin:14mm}
            @media print{body{max-width:none;margin:0;padding:0;font-size:10pt}nav{display:none}\
            h2{break-after:avoid}figure,table,tr{break-inside:avoid}}
            """;

    private final JsonNode root;
    private final StringBuilder sb = new StringBuilder();
    private int figures;

    private HtmlReport(JsonNode root) {
        this.root = root;
    }

    /**
     * @param root a report's JSON tree
     * @return the page
     */
    static String render(JsonNode root) {
        return new HtmlReport(root).page();
    }

    private String page() {
        String title = "el4ner evaluation: " + root.path("title").asText();
        sb.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\" xml:lang=\"en\">\n<head>\n"
                + "<meta charset=\"UTF-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                + "<meta name=\"generator\" content=\"el4ner\"/>\n<title>").append(esc(title)).append("</title>\n<style>\n")
                .append(CSS).append("</style>\n</head>\n<body>\n");
        sb.append("<header>\n<h1>").append(esc(title)).append("</h1>\n");
        lead();
        sb.append("</header>\n");
        nav();
        summary();
        causes();
        ablation();
        types();
        validator();
        breakdown("datasets", "dataset", "Per dataset");
        breakdown("languages", "language", "Per language");
        usage();
        method();
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    // --- sections ------------------------------------------------------------------------------------------------

    private void lead() {
        JsonNode m = root.path("overall").path("micro");
        JsonNode ci = root.path("overall").path("f1Interval95");
        sb.append("<p class=\"lead\">Final answer: <strong>F1 ").append(pct(m.path("f1"))).append("%</strong> (95% "
                        + "interval ").append(pct(ci.path("low"))).append("–").append(pct(ci.path("high")))
                .append("%), precision ").append(pct(m.path("precision"))).append("%, recall ")
                .append(pct(m.path("recall"))).append("%, on ").append(count(root.path("sentences")))
                .append(" sentences with ").append(count(root.path("goldEntities")))
                .append(" gold entities (exact span and type).</p>\n");
    }

    private void nav() {
        sb.append("<nav aria-label=\"Contents\">\n<ol>\n");
        item("summary", "Summary");
        if (root.path("failureCauses").path("errors").asInt() > 0) {
            item("causes", "Most frequent errors");
        }
        item("ablation", "F1 by stage and member");
        item("types", "Final answer per type");
        if (root.path("validator").size() > 0) {
            item("validation", "Validation");
        }
        if (root.path("datasets").size() > 0) {
            item("per-dataset", "Per dataset");
        }
        if (root.path("languages").size() > 0) {
            item("per-language", "Per language");
        }
        item("usage", "Calls, tokens and latency");
        item("method", "How the numbers are computed");
        sb.append("</ol>\n</nav>\n");
    }

    private void item(String id, String text) {
        sb.append("<li><a href=\"#").append(id).append("\">").append(text).append("</a></li>\n");
    }

    private void summary() {
        sb.append("<section id=\"summary\">\n<h2>Summary</h2>\n<table id=\"summary-table\">\n<tbody>\n");
        int failed = root.path("failedSentences").asInt();
        int degraded = root.path("degradedSentences").asInt();
        kv("Sentences", count(root.path("sentences")));
        kv("Gold entities", count(root.path("goldEntities")));
        kv("Failed sentences (no answer)", count(failed));
        kv("Degraded sentences (answered without some member)", count(Math.max(0, degraded - failed)));
        if (root.has("resumedSentences")) {
            kv("Sentences resumed from an earlier run", count(root.path("resumedSentences")));
        }
        JsonNode m = root.path("overall").path("micro");
        JsonNode ci = root.path("overall").path("f1Interval95");
        kv("Final F1 (95% interval)", pct(m.path("f1")) + "% (" + pct(ci.path("low")) + "–" + pct(ci.path("high"))
                + "%)");
        kv("Final macro F1", pct(root.path("overall").path("macroF1")) + "%");
        kv("Wall time per sentence", String.format(Locale.ROOT, "%.1f ms",
                root.path("usage").path("wallMillisPerSentence").asDouble()));
        if (root.has("conllLeftOut")) {
            kv("Predicted spans left out of predictions.conll", count(root.path("conllLeftOut")));
        }
        sb.append("</tbody>\n</table>\n</section>\n");
    }

    private void kv(String key, String value) {
        sb.append("<tr><th scope=\"row\" class=\"text\">").append(esc(key)).append("</th><td>").append(esc(value))
                .append("</td></tr>\n");
    }

    private void causes() {
        JsonNode causes = root.path("failureCauses");
        if (causes.path("errors").asInt() == 0) {
            return;
        }
        sb.append("<section id=\"causes\">\n<h2>Most frequent errors</h2>\n<table id=\"causes-table\">\n<caption>")
                .append(count(causes.path("errors"))).append(" member errors in failed or degraded sentences, ")
                .append(count(causes.path("distinct"))).append(" distinct causes (the sentence's own text replaced "
                        + "by …)").append(causes.path("top").size() < causes.path("distinct").asInt()
                        ? "; the " + causes.path("top").size() + " most frequent below" : "")
                .append(". Every sentence's errors are under <code>memberErrors</code> in predictions.jsonl.")
                .append("</caption>\n<thead><tr>").append(th("errors")).append(th("stage", true))
                .append(th("member", true)).append(th("cause", true)).append("</tr></thead>\n<tbody>\n");
        for (JsonNode c : causes.path("top")) {
            sb.append("<tr><td>").append(count(c.path("count"))).append("</td><td class=\"text\">")
                    .append(esc(c.path("stage").asText())).append("</td><td class=\"text\">")
                    .append(esc(c.path("member").asText())).append("</td><td class=\"cause\">")
                    .append(esc(c.path("cause").asText())).append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n</section>\n");
    }

    private static String rowColour(String row) {
        if (row.startsWith("member:")) {
            return SKY;
        }
        return switch (row) {
            case Ablations.UNION -> ORANGE;
            case Ablations.VOTE -> GREEN;
            case Ablations.VALIDATION -> BLUE;
            default -> GREY;
        };
    }

    private static String rowMeaning(String row) {
        if (row.startsWith("member:")) {
            return "member " + row.substring("member:".length()) + " alone";
        }
        return switch (row) {
            case Ablations.UNION -> "union of the members alone";
            case Ablations.VOTE -> "the vote, before validation";
            case Ablations.VALIDATION -> "final answer (after validation)";
            default -> "";
        };
    }

    private void ablation() {
        sb.append("<section id=\"ablation\">\n<h2>F1 by stage and member</h2>\n<p class=\"note\">Each row scores one "
                + "set of predictions from the same run (no extra model calls): every member alone (its extraction "
                + "typed by its own classification), the union of those, the ensemble's vote before validation, "
                + "and the final answer.</p>\n");
        List<Bar> bars = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.path("rows").properties()) {
            JsonNode m = e.getValue().path("micro");
            JsonNode ci = e.getValue().path("f1Interval95");
            bars.add(new Bar(e.getKey(), List.of(new Seg(m.path("f1").asDouble(), rowColour(e.getKey()), "F1")),
                    ci.path("low").asDouble(), ci.path("high").asDouble(), pct(m.path("f1")),
                    e.getKey() + ": F1 " + pct(m.path("f1")) + "% (95% interval " + pct(ci.path("low")) + "–"
                            + pct(ci.path("high")) + "%), precision " + pct(m.path("precision")) + "%, recall "
                            + pct(m.path("recall")) + "%"));
        }
        chart("chart-ablation", "F1 by stage and member",
                "Micro F1 of each ablation row in pipeline order (members alone, union, vote, final answer), "
                        + "with 95% bootstrap intervals as error bars.", null, List.of(new Group(null, bars)),
                Axis.percent("F1 (%), error bars: 95% bootstrap interval"));
        sb.append("<table id=\"ablation-table\">\n<thead><tr>").append(th("row", true))
                .append(th("precision")).append(th("recall")).append(th("F1")).append(th("95% interval"))
                .append(th("macro F1")).append(th("tp")).append(th("fp")).append(th("fn"))
                .append("</tr></thead>\n<tbody>\n");
        root.path("rows").properties().forEach(e -> {
            JsonNode m = e.getValue().path("micro");
            JsonNode ci = e.getValue().path("f1Interval95");
            sb.append("<tr").append(e.getKey().equals(Ablations.VALIDATION) ? " class=\"final\"" : "")
                    .append("><td class=\"text key\" title=\"").append(esc(rowMeaning(e.getKey()))).append("\">")
                    .append(swatch(rowColour(e.getKey()))).append(esc(e.getKey())).append("</td><td>")
                    .append(pct(m.path("precision"))).append("</td><td>").append(pct(m.path("recall")))
                    .append("</td><td>").append(pct(m.path("f1"))).append("</td><td>").append(pct(ci.path("low")))
                    .append("–").append(pct(ci.path("high"))).append("</td><td>")
                    .append(pct(e.getValue().path("macroF1"))).append("</td><td>").append(count(m.path("tp")))
                    .append("</td><td>").append(count(m.path("fp"))).append("</td><td>").append(count(m.path("fn")))
                    .append("</td></tr>\n");
        });
        sb.append("</tbody>\n</table>\n<p class=\"note\"><code>member:NAME</code>: that member alone; "
                + "<code>union</code>: the union of the members alone; <code>vote</code>: the ensemble after the vote, "
                + "before validation; <code>validation</code>: the final answer. Precision, recall and F1 in %; the "
                + "interval is F1's. tp, fp, fn: true positive, false positive and false negative entities.</p>\n"
                + "</section>\n");
    }

    private void types() {
        sb.append("<section id=\"types\">\n<h2>Final answer per type</h2>\n");
        JsonNode types = root.path("overall").path("types");
        if (types.size() == 0) {
            sb.append("<p>There are no gold or predicted entities, so there is nothing to show per type.</p>\n"
                    + "</section>\n");
            return;
        }
        List<Group> groups = new ArrayList<>();
        types.properties().forEach(e -> {
            JsonNode s = e.getValue();
            List<Bar> bars = new ArrayList<>();
            String[][] series = {{"precision", SKY}, {"recall", ORANGE}, {"f1", BLUE}};
            for (String[] k : series) {
                String name = k[0].equals("f1") ? "F1" : k[0];
                bars.add(new Bar("", List.of(new Seg(s.path(k[0]).asDouble(), k[1], name)), null, null,
                        pct(s.path(k[0])), e.getKey() + ": " + name + " " + pct(s.path(k[0])) + "%"));
            }
            groups.add(new Group(e.getKey(), bars));
        });
        chart("chart-types", "Precision, recall and F1 per type (final answer)",
                "Grouped bars: for each entity type, the final answer's precision, recall and F1.",
                List.of(new Seg(0, SKY, "precision"), new Seg(0, ORANGE, "recall"), new Seg(0, BLUE, "F1")), groups,
                Axis.percent("precision, recall, F1 (%)"));
        sb.append("<table id=\"types-table\">\n<thead><tr>").append(th("type", true)).append(th("gold"))
                .append(th("predicted")).append(th("precision")).append(th("recall")).append(th("F1"))
                .append(th("tp")).append(th("fp")).append(th("fn")).append("</tr></thead>\n<tbody>\n");
        types.properties().forEach(e -> typeRow(e.getKey(), e.getValue(), ""));
        sb.append("</tbody>\n<tfoot>\n");
        typeRow("all types (micro)", root.path("overall").path("micro"), " class=\"total\"");
        sb.append("<tr class=\"total\"><td class=\"text\">macro average</td><td></td><td></td><td></td><td></td><td>")
                .append(pct(root.path("overall").path("macroF1")))
                .append("</td><td></td><td></td><td></td></tr>\n</tfoot>\n</table>\n</section>\n");
    }

    private void typeRow(String name, JsonNode s, String attrs) {
        long tp = s.path("tp").asLong();
        sb.append("<tr").append(attrs).append("><td class=\"text\">").append(esc(name)).append("</td><td>")
                .append(count(tp + s.path("fn").asLong())).append("</td><td>").append(count(tp + s.path("fp").asLong()))
                .append("</td><td>").append(pct(s.path("precision"))).append("</td><td>").append(pct(s.path("recall")))
                .append("</td><td>").append(pct(s.path("f1"))).append("</td><td>").append(count(tp)).append("</td><td>")
                .append(count(s.path("fp"))).append("</td><td>").append(count(s.path("fn"))).append("</td></tr>\n");
    }

    private void validator() {
        JsonNode v = root.path("validator");
        if (v.size() == 0) {
            return;
        }
        sb.append("<section id=\"validation\">\n<h2>Validation</h2>\n<p class=\"note\">What the validator did with the "
                + "entities of the vote: a removed right entity is an over-refusal.</p>\n");
        String[][] outcomes = {
            {"keptRight", "kept, right", GREEN, "correct entity kept"},
            {"removedWrong", "removed, wrong", SKY, "false positive removed (the validator's gain)"},
            {"removedRight", "removed, right (over-refusal)", VERMILLION, "correct entity lost"},
            {"keptWrong", "kept, wrong", ORANGE, "false positive not caught"},
        };
        long total = 0;
        for (String[] o : outcomes) {
            total += v.path(o[0]).asLong();
        }
        List<Seg> segs = new ArrayList<>();
        for (String[] o : outcomes) {
            segs.add(new Seg(v.path(o[0]).asDouble(), o[2], o[1]));
        }
        if (total > 0) {
            StringBuilder tip = new StringBuilder("vote's entities: ");
            for (String[] o : outcomes) {
                tip.append(o[1]).append(' ').append(v.path(o[0]).asLong()).append(o == outcomes[3] ? "" : ", ");
            }
            chart("chart-validator", "What validation did with the vote's entities",
                    "One stacked bar: the vote's entities kept right, removed wrong, removed right (over-refusal) and "
                            + "kept wrong by the validator.", segs,
                    List.of(new Group(null, List.of(new Bar("vote's entities", segs, null, null, count(total),
                            tip.toString())))),
                    Axis.nice(total, "entities of the vote"));
        } else {
            sb.append("<p>The vote proposed no entities, so there was nothing to validate.</p>\n");
        }
        sb.append("<table id=\"validator-table\">\n<thead><tr>").append(th("outcome", true)).append(th("meaning", true))
                .append(th("entities")).append(th("share of the vote")).append("</tr></thead>\n<tbody>\n");
        for (String[] o : outcomes) {
            long n = v.path(o[0]).asLong();
            sb.append("<tr data-outcome=\"").append(o[0]).append("\"><td class=\"text\">").append(swatch(o[2]))
                    .append(esc(o[1])).append("</td><td class=\"text\">").append(esc(o[3])).append("</td><td>")
                    .append(count(n)).append("</td><td>").append(total == 0 ? "–" : pct((double) n / total) + "%")
                    .append("</td></tr>\n");
        }
        sb.append("</tbody>\n<tfoot><tr class=\"total\"><td class=\"text\">all</td><td></td><td>").append(count(total))
                .append("</td><td>").append(total == 0 ? "–" : "100.0%").append("</td></tr></tfoot>\n</table>\n");
        long removed = v.path("removedWrong").asLong() + v.path("removedRight").asLong();
        if (removed > 0) {
            sb.append("<p>The validator removed ").append(count(removed)).append(" entities, ")
                    .append(pct((double) v.path("removedWrong").asLong() / removed))
                    .append("% of them wrong (precision of the removals).</p>\n");
        }
        sb.append("</section>\n");
    }

    private void breakdown(String key, String what, String heading) {
        JsonNode groups = root.path(key);
        if (groups.size() == 0) {
            return;
        }
        String id = "per-" + what;
        sb.append("<section id=\"").append(id).append("\">\n<h2>").append(heading).append("</h2>\n");
        List<Bar> bars = new ArrayList<>();
        groups.properties().forEach(e -> {
            JsonNode m = e.getValue().path("micro");
            JsonNode ci = e.getValue().path("f1Interval95");
            bars.add(new Bar(e.getKey(), List.of(new Seg(m.path("f1").asDouble(), BLUE, "F1")),
                    ci.path("low").asDouble(), ci.path("high").asDouble(), pct(m.path("f1")),
                    e.getKey() + ": F1 " + pct(m.path("f1")) + "% (95% interval " + pct(ci.path("low")) + "–"
                            + pct(ci.path("high")) + "%)"));
        });
        chart("chart-" + key, "F1 of the final answer per " + what,
                "Micro F1 of the final answer for each " + what + ", with 95% bootstrap intervals as error bars.",
                null, List.of(new Group(null, bars)), Axis.percent("F1 (%), error bars: 95% bootstrap interval"));
        sb.append("<table id=\"").append(key).append("-table\">\n<thead><tr>").append(th(what, true))
                .append(th("sentences")).append(th("gold entities")).append(th("precision")).append(th("recall"))
                .append(th("F1")).append(th("95% interval")).append(th("macro F1")).append(th("tp")).append(th("fp"))
                .append(th("fn")).append("</tr></thead>\n<tbody>\n");
        groups.properties().forEach(e -> {
            JsonNode m = e.getValue().path("micro");
            JsonNode ci = e.getValue().path("f1Interval95");
            sb.append("<tr><td class=\"text\">").append(esc(e.getKey())).append("</td><td>")
                    .append(e.getValue().has("sentences") ? count(e.getValue().path("sentences")) : "")
                    .append("</td><td>")
                    .append(count(m.path("tp").asLong() + m.path("fn").asLong())).append("</td><td>")
                    .append(pct(m.path("precision"))).append("</td><td>").append(pct(m.path("recall")))
                    .append("</td><td>").append(pct(m.path("f1"))).append("</td><td>").append(pct(ci.path("low")))
                    .append("–").append(pct(ci.path("high"))).append("</td><td>")
                    .append(pct(e.getValue().path("macroF1"))).append("</td><td>").append(count(m.path("tp")))
                    .append("</td><td>").append(count(m.path("fp"))).append("</td><td>").append(count(m.path("fn")))
                    .append("</td></tr>\n");
        });
        sb.append("</tbody>\n</table>\n</section>\n");
    }

    private static String stageColour(String stage) {
        return switch (EvaluationReport.stageRank(stage)) {
            case 0 -> PURPLE;
            case 1 -> SKY;
            case 2 -> ORANGE;
            case 3 -> GREEN;
            default -> GREY;
        };
    }

    private void usage() {
        JsonNode usage = root.path("usage");
        JsonNode entries = usage.path("entries");
        double sentences = Math.max(1, root.path("sentences").asInt());
        sb.append("<section id=\"usage\">\n<h2>Calls, tokens and latency</h2>\n");
        if (entries.size() == 0) {
            sb.append("<p>No member calls were recorded.</p>\n</section>\n");
            return;
        }
        List<Seg> stageLegend = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        boolean anyLatency = false;
        boolean anyTokens = false;
        for (JsonNode e : entries) {
            String stage = e.path("stage").asText();
            if (!seen.contains(stage)) {
                seen.add(stage);
                stageLegend.add(new Seg(0, stageColour(stage), stage));
            }
            anyLatency |= e.path("latencyMillis").asLong() > 0;
            anyTokens |= e.path("promptTokens").asLong() + e.path("completionTokens").asLong() > 0;
        }
        if (anyLatency) {
            List<Bar> bars = new ArrayList<>();
            for (JsonNode e : entries) {
                double mean = e.path("meanLatencyMillis").asDouble();
                String label = e.path("stage").asText() + " · " + e.path("member").asText();
                bars.add(new Bar(label, List.of(new Seg(mean, stageColour(e.path("stage").asText()), "latency")), null,
                        null, ms(mean), label + ": mean latency " + ms(mean) + " ms over " + e.path("calls").asLong()
                        + " calls"));
            }
            chart("chart-latency", "Mean latency per call, by stage and member",
                    "Horizontal bars in pipeline order: each member's mean latency per call in each stage, in "
                            + "milliseconds.", stageLegend, List.of(new Group(null, bars)),
                    Axis.nice(max(bars), "mean latency per call (ms)"));
        } else {
            sb.append("<p class=\"no-latency\">The members' calls took no measurable time (under 1 ms each), so "
                    + "there is no latency chart.</p>\n");
        }
        if (anyTokens) {
            List<Bar> bars = new ArrayList<>();
            for (JsonNode e : entries) {
                double p = e.path("promptTokens").asDouble() / sentences;
                double c = e.path("completionTokens").asDouble() / sentences;
                String label = e.path("stage").asText() + " · " + e.path("member").asText();
                bars.add(new Bar(label, List.of(new Seg(p, BLUE, "prompt"), new Seg(c, ORANGE, "completion")), null,
                        null, tokens(p + c), label + ": " + tokens(p) + " prompt and " + tokens(c)
                        + " completion tokens per sentence"));
            }
            chart("chart-tokens", "Tokens per sentence, by stage and member",
                    "Stacked horizontal bars in pipeline order: prompt and completion tokens per sentence that each "
                            + "member reported in each stage.",
                    List.of(new Seg(0, BLUE, "prompt tokens"), new Seg(0, ORANGE, "completion tokens")),
                    List.of(new Group(null, bars)), Axis.nice(max(bars), "tokens per sentence"));
        } else {
            sb.append("<p class=\"no-tokens\">The members reported no token usage, so there is no tokens chart.</p>\n");
        }
        sb.append("<table id=\"usage-table\">\n<caption>In pipeline order. Latency: the member calls' wall time; "
                        + "calls run in parallel, so it can exceed the wall time of the run.</caption>\n<thead><tr>")
                .append(th("stage", true)).append(th("member", true)).append(th("calls")).append(th("failures"))
                .append(th("calls per sentence")).append(th("prompt tokens")).append(th("completion tokens"))
                .append(th("latency, total (s)")).append(th("latency, mean (ms)")).append("</tr></thead>\n");
        JsonNode stages = usage.path("stages");
        String open = null;
        int inStage = 0;
        long[] all = new long[5];
        for (JsonNode e : entries) {
            String stage = e.path("stage").asText();
            if (!stage.equals(open)) {
                if (open != null) {
                    stageTotal(open, stages.path(open), inStage, sentences);
                }
                sb.append("<tbody data-stage=\"").append(esc(stage)).append("\">\n");
                open = stage;
                inStage = 0;
            }
            inStage++;
            long calls = e.path("calls").asLong();
            sb.append("<tr class=\"entry\"><td class=\"text key\">").append(swatch(stageColour(stage))).append(esc(stage))
                    .append("</td><td class=\"text key\">").append(esc(e.path("member").asText())).append("</td>");
            usageCells(e, calls / sentences, e.path("meanLatencyMillis").asDouble());
            sb.append("</tr>\n");
            all[0] += calls;
            all[1] += e.path("failures").asLong();
            all[2] += e.path("promptTokens").asLong();
            all[3] += e.path("completionTokens").asLong();
            all[4] += e.path("latencyMillis").asLong();
        }
        stageTotal(open, stages.path(open), inStage, sentences);
        sb.append("<tfoot><tr class=\"total\"><td class=\"text\">all stages</td><td></td><td>").append(count(all[0]))
                .append("</td><td>").append(count(all[1])).append("</td><td>").append(num(all[0] / sentences))
                .append("</td><td>").append(tokenCell(all[2], all[2] + all[3])).append("</td><td>")
                .append(tokenCell(all[3], all[2] + all[3])).append("</td><td>").append(seconds(all[4]))
                .append("</td><td>").append(all[0] == 0 ? "–" : ms((double) all[4] / all[0])).append("</td></tr>\n")
                .append("</tfoot>\n</table>\n<p>Wall time of the run per sentence: ")
                .append(ms(usage.path("wallMillisPerSentence").asDouble())).append(" ms.");
        if (!anyTokens) {
            sb.append(" Token counts that no member reported are shown as –.");
        }
        sb.append("</p>\n</section>\n");
    }

    private void usageCells(JsonNode e, double callsPerSentence, double meanMillis) {
        long prompt = e.path("promptTokens").asLong();
        long completion = e.path("completionTokens").asLong();
        sb.append("<td>").append(count(e.path("calls"))).append("</td><td>").append(count(e.path("failures")))
                .append("</td><td>").append(num(callsPerSentence)).append("</td><td>")
                .append(tokenCell(prompt, prompt + completion)).append("</td><td>")
                .append(tokenCell(completion, prompt + completion)).append("</td><td>")
                .append(seconds(e.path("latencyMillis").asLong())).append("</td><td>").append(ms(meanMillis))
                .append("</td>");
    }

    private void stageTotal(String stage, JsonNode s, int members, double sentences) {
        if (members > 1) {
            long calls = s.path("calls").asLong();
            sb.append("<tr class=\"total\"><td class=\"text key\">").append(esc(stage))
                    .append("</td><td class=\"text key\">all members</td>");
            usageCells(s, calls / sentences, calls == 0 ? 0 : s.path("latencyMillis").asDouble() / calls);
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n");
    }

    /** Token counts: a dash when neither prompt nor completion tokens were reported (not a misleading 0). */
    private static String tokenCell(long n, long both) {
        return both == 0 ? "<span title=\"not reported\">–</span>" : count(n);
    }

    private void method() {
        JsonNode ci = root.path("overall").path("f1Interval95");
        sb.append("<section id=\"method\">\n<h2>How the numbers are computed</h2>\n<p class=\"note\">Entity-level "
                        + "scores: a predicted entity is right when its span and type both equal a gold entity's. "
                        + "Micro precision, recall and F1 count entities over all sentences; macro F1 averages the "
                        + "per-type F1. 95% intervals: percentile bootstrap of micro F1 over sentences, ")
                .append(count(ci.path("resamples"))).append(" resamples, seed ").append(ci.path("seed").asLong())
                .append(". Failed sentences count with no predictions. The same numbers are in report.json "
                        + "(machine-readable) and report.md.</p>\n</section>\n");
    }

    // --- charts --------------------------------------------------------------------------------------------------

    /** A part of a bar; in a legend, only colour and name count. */
    record Seg(double value, String colour, String name) {
    }

    /** A bar: stacked segments, an optional interval (error bar), the text at its end and a tooltip. */
    record Bar(String label, List<Seg> segs, Double low, Double high, String valueText, String tooltip) {
        double end() {
            return segs.stream().mapToDouble(Seg::value).sum();
        }
    }

    /** Bars drawn together under one label (grouped bars), or one bar each with its own label (label null). */
    record Group(String label, List<Bar> bars) {
    }

    /** A value axis from 0 to {@code max} with a tick every {@code step}. */
    record Axis(double max, double step, String title, boolean percent) {
        static Axis percent(String title) {
            return new Axis(1, 0.1, title, true);
        }

        static Axis nice(double dataMax, String title) {
            if (!(dataMax > 0)) {
                return new Axis(1, 0.2, title, false);
            }
            double raw = dataMax / 5;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double norm = raw / mag;
            double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
            double max = Math.ceil(dataMax / step - 1e-9) * step;
            return new Axis(max, step, title, false);
        }

        String label(double v) {
            if (percent) {
                return String.format(Locale.ROOT, "%.0f", v * 100);
            }
            if (step >= 1 && Math.rint(step) == step) {
                return String.format(Locale.ROOT, "%,.0f", v);
            }
            int decimals = (int) Math.max(1, Math.ceil(-Math.log10(step) - 1e-9));
            if (Math.abs(Math.rint(step * Math.pow(10, decimals)) - step * Math.pow(10, decimals)) > 1e-6) {
                decimals++;
            }
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }

        int ticks() {
            return (int) Math.round(max / step);
        }
    }

    private static double max(List<Bar> bars) {
        return bars.stream().mapToDouble(b -> Math.max(b.end(), b.high() == null ? 0 : b.high())).max().orElse(0);
    }

    private static final int BAR = 16;
    private static final int SLOT = 24;
    private static final int GROUPED_BAR = 11;
    private static final int GROUPED_SLOT = 13;
    private static final int GROUP_GAP = 10;
    private static final int VALUE_W = 56;

    /**
     * Writes a figure with a horizontal bar chart: labels on the left, bars on a value axis (ticks, gridlines and
     * the axis title at the bottom), the value at the end of each bar, an error bar where the bar has an interval.
     */
    private void chart(String id, String title, String desc, List<Seg> legend, List<Group> groups, Axis axis) {
        boolean grouped = groups.stream().anyMatch(g -> g.label() != null);
        int longest = 0;
        for (Group g : groups) {
            if (g.label() != null) {
                longest = Math.max(longest, shortened(g.label()).length());
            }
            for (Bar b : g.bars()) {
                longest = Math.max(longest, shortened(b.label()).length());
            }
        }
        int labelW = (int) Math.max(70, Math.min(MAX_LABEL_CHARS * CHAR_W, longest * CHAR_W) + 14);
        int plotX = labelW;
        int plotW = WIDTH - labelW - VALUE_W;
        int top = legend == null ? 10 : 34;
        int y = top;
        StringBuilder bars = new StringBuilder();
        for (int gi = 0; gi < groups.size(); gi++) {
            Group g = groups.get(gi);
            int slot = grouped ? GROUPED_SLOT : SLOT;
            int bar = grouped ? GROUPED_BAR : BAR;
            if (grouped && gi > 0) {
                y += GROUP_GAP;
            }
            int groupTop = y;
            if (g.label() != null) {
                bars.append("<g class=\"group\"><title>").append(esc(g.label())).append("</title><text class=\"label\" x=\"")
                        .append(plotX - 8).append("\" y=\"").append(f(groupTop + g.bars().size() * slot / 2.0 + 4))
                        .append("\" text-anchor=\"end\">").append(esc(shortened(g.label()))).append("</text></g>");
            }
            for (Bar b : g.bars()) {
                double cy = y + slot / 2.0;
                bars.append("<g class=\"bar\"><title>").append(esc(b.tooltip())).append("</title>");
                if (!b.label().isEmpty()) {
                    bars.append("<text class=\"label\" x=\"").append(plotX - 8).append("\" y=\"").append(f(cy + 4))
                            .append("\" text-anchor=\"end\">").append(esc(shortened(b.label()))).append("</text>");
                }
                double x = 0;
                for (Seg s : b.segs()) {
                    double x0 = xOf(x, axis, plotX, plotW);
                    double x1 = xOf(x + s.value(), axis, plotX, plotW);
                    bars.append("<rect x=\"").append(f(x0)).append("\" y=\"").append(f(cy - bar / 2.0))
                            .append("\" width=\"").append(f(Math.max(0, x1 - x0))).append("\" height=\"").append(bar)
                            .append("\" fill=\"").append(s.colour()).append("\"/>");
                    if (b.segs().size() > 1 && s.value() > 0) {
                        String n = axis.percent() ? pct(s.value())
                                : Math.rint(s.value()) == s.value() ? count((long) s.value()) : num(s.value());
                        if (x1 - x0 > n.length() * CHAR_W + 6) {
                            bars.append("<text class=\"seg-value\" x=\"").append(f((x0 + x1) / 2)).append("\" y=\"")
                                    .append(f(cy + 4)).append("\" text-anchor=\"middle\" font-size=\"11\" style=\"fill:")
                                    .append(textOn(s.colour())).append("\">").append(n).append("</text>");
                        }
                    }
                    x += s.value();
                }
                double end = xOf(x, axis, plotX, plotW);
                if (b.low() != null && b.high() != null) {
                    double lo = xOf(b.low(), axis, plotX, plotW);
                    double hi = xOf(b.high(), axis, plotX, plotW);
                    double cap = bar / 2.0 - 1;
                    bars.append("<g class=\"ci\" stroke=\"#000\" stroke-width=\"1.6\"><line class=\"ci-range\" x1=\"")
                            .append(f(lo)).append("\" y1=\"").append(f(cy)).append("\" x2=\"").append(f(hi))
                            .append("\" y2=\"").append(f(cy)).append("\"/>");
                    for (double cx : new double[] {lo, hi}) {
                        bars.append("<line class=\"ci-cap\" x1=\"").append(f(cx)).append("\" y1=\"").append(f(cy - cap))
                                .append("\" x2=\"").append(f(cx)).append("\" y2=\"").append(f(cy + cap)).append("\"/>");
                    }
                    bars.append("</g>");
                    end = Math.max(end, hi);
                }
                bars.append("<text class=\"value\" x=\"").append(f(end + 5)).append("\" y=\"").append(f(cy + 4))
                        .append("\" font-size=\"11\">").append(esc(b.valueText())).append("</text></g>");
                y += slot;
            }
        }
        int plotBottom = y + 4;
        int height = plotBottom + 44;
        figures++;
        sb.append("<figure>\n<figcaption>Figure ").append(figures).append(". ").append(esc(title)).append("</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"").append(id)
                .append("\" class=\"chart\" role=\"img\" aria-labelledby=\"").append(id).append("-title ").append(id)
                .append("-desc\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-size=\"12\">\n<title id=\"").append(id).append("-title\">").append(esc(title))
                .append("</title>\n<desc id=\"").append(id).append("-desc\">").append(esc(desc)).append("</desc>\n");
        if (legend != null) {
            sb.append("<g class=\"legend\">");
            double lx = plotX;
            for (Seg s : legend) {
                sb.append("<rect x=\"").append(f(lx)).append("\" y=\"8\" width=\"12\" height=\"12\" fill=\"")
                        .append(s.colour()).append("\"/><text x=\"").append(f(lx + 17)).append("\" y=\"18\">")
                        .append(esc(s.name())).append("</text>");
                lx += 17 + s.name().length() * CHAR_W + 18;
            }
            sb.append("</g>\n");
        }
        // gridlines and axis under the bars
        sb.append("<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">");
        for (int i = 1; i <= axis.ticks(); i++) {
            double gx = xOf(i * axis.step(), axis, plotX, plotW);
            sb.append("<line x1=\"").append(f(gx)).append("\" y1=\"").append(top).append("\" x2=\"").append(f(gx))
                    .append("\" y2=\"").append(plotBottom).append("\"/>");
        }
        sb.append("</g>\n<g class=\"axis\"><line class=\"axis-line\" x1=\"").append(plotX).append("\" y1=\"")
                .append(plotBottom).append("\" x2=\"").append(plotX + plotW).append("\" y2=\"").append(plotBottom)
                .append("\" stroke=\"#555\"/><line class=\"axis-line\" x1=\"").append(plotX).append("\" y1=\"")
                .append(top).append("\" x2=\"").append(plotX).append("\" y2=\"").append(plotBottom)
                .append("\" stroke=\"#555\"/>");
        for (int i = 0; i <= axis.ticks(); i++) {
            double tx = xOf(i * axis.step(), axis, plotX, plotW);
            sb.append("<g class=\"tick\"><line x1=\"").append(f(tx)).append("\" y1=\"").append(plotBottom)
                    .append("\" x2=\"").append(f(tx)).append("\" y2=\"").append(plotBottom + 5)
                    .append("\" stroke=\"#555\"/><text class=\"tick-label\" x=\"").append(f(tx)).append("\" y=\"")
                    .append(plotBottom + 18).append("\" text-anchor=\"middle\" font-size=\"11\">")
                    .append(axis.label(i * axis.step())).append("</text></g>");
        }
        sb.append("<text class=\"axis-title\" x=\"").append(f(plotX + plotW / 2.0)).append("\" y=\"")
                .append(plotBottom + 36).append("\" text-anchor=\"middle\">").append(esc(axis.title()))
                .append("</text></g>\n").append(bars).append("\n</svg>\n</figure>\n");
    }

    private static double xOf(double v, Axis axis, int plotX, int plotW) {
        double r = v / axis.max();
        return plotX + plotW * Math.max(0, Math.min(1, Double.isNaN(r) ? 0 : r));
    }

    private static String shortened(String label) {
        return label.length() <= MAX_LABEL_CHARS ? label
                : label.substring(0, MAX_LABEL_CHARS - 1) + "\u2026";
    }

    /** Black or white text, whichever reads better on a fill colour ({@code #RRGGBB}). */
    private static String textOn(String colour) {
        int r = Integer.parseInt(colour.substring(1, 3), 16);
        int g = Integer.parseInt(colour.substring(3, 5), 16);
        int b = Integer.parseInt(colour.substring(5, 7), 16);
        return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? "#000" : "#fff";
    }

    private static String swatch(String colour) {
        return "<span class=\"swatch\" style=\"background:" + colour + "\" aria-hidden=\"true\"></span>";
    }

    private static String th(String text) {
        return th(text, false);
    }

    private static String th(String text, boolean left) {
        return "<th scope=\"col\"" + (left ? " class=\"text\"" : "") + ">" + esc(text) + "</th>";
    }

    // --- formatting ----------------------------------------------------------------------------------------------

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String pct(JsonNode n) {
        return pct(n.asDouble());
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    private static String count(JsonNode n) {
        return count(n.asLong());
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.2f", v);
    }

    private static String tokens(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.1f", v);
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : v >= 1 || v == 0 ? "%.1f" : "%.2f", v);
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%,.1f", millis / 1000.0);
    }

    /**
     * @param s text from the run
     * @return it escaped for XML and HTML text and attribute values, with what XML 1.0 cannot hold (control
     *     characters, unpaired surrogates, U+FFFE, U+FFFF) replaced by U+FFFD
     */
    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c) || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                            || c == '\uFFFE' || c == '\uFFFF' || (c >= 0x7F && c <= 0x9F)) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
