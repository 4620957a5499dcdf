package io.el4ner.eval;

import static io.el4ner.eval.Html.BLUE;
import static io.el4ner.eval.Html.GREEN;
import static io.el4ner.eval.Html.GREY;
import static io.el4ner.eval.Html.ORANGE;
import static io.el4ner.eval.Html.SKY;
import static io.el4ner.eval.Html.VERMILLION;
import static io.el4ner.eval.Html.count;
import static io.el4ner.eval.Html.esc;
import static io.el4ner.eval.Html.pct;
import static io.el4ner.eval.Html.swatch;
import static io.el4ner.eval.Html.th;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.eval.SvgBarCharts.Axis;
import io.el4ner.eval.SvgBarCharts.Bar;
import io.el4ner.eval.SvgBarCharts.Group;
import io.el4ner.eval.SvgBarCharts.Seg;
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
    private final SvgBarCharts charts = new SvgBarCharts(sb);

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
        new HtmlUsageSection(root, sb, charts).write();
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
        charts.chart("chart-ablation", "F1 by stage and member",
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
        charts.chart("chart-types", "Precision, recall and F1 per type (final answer)",
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
            charts.chart("chart-validator", "What validation did with the vote's entities",
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
        charts.chart("chart-" + key, "F1 of the final answer per " + what,
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
}
