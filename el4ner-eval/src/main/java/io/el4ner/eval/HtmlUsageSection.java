package io.el4ner.eval;

import static io.el4ner.eval.Html.BLUE;
import static io.el4ner.eval.Html.GREEN;
import static io.el4ner.eval.Html.GREY;
import static io.el4ner.eval.Html.ORANGE;
import static io.el4ner.eval.Html.PURPLE;
import static io.el4ner.eval.Html.SKY;
import static io.el4ner.eval.Html.count;
import static io.el4ner.eval.Html.esc;
import static io.el4ner.eval.Html.ms;
import static io.el4ner.eval.Html.num;
import static io.el4ner.eval.Html.seconds;
import static io.el4ner.eval.Html.swatch;
import static io.el4ner.eval.Html.th;
import static io.el4ner.eval.Html.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.eval.SvgBarCharts.Axis;
import io.el4ner.eval.SvgBarCharts.Bar;
import io.el4ner.eval.SvgBarCharts.Group;
import io.el4ner.eval.SvgBarCharts.Seg;
import java.util.ArrayList;
import java.util.List;

/**
 * The HTML report's cost section: latency and token charts and the calls, tokens and latency table per stage and
 * member, in pipeline order.
 */
final class HtmlUsageSection {
    private final JsonNode root;
    private final StringBuilder sb;
    private final SvgBarCharts charts;

    /**
     * @param root the report's JSON tree
     * @param sb the page
     * @param charts the page's figures
     */
    HtmlUsageSection(JsonNode root, StringBuilder sb, SvgBarCharts charts) {
        this.root = root;
        this.sb = sb;
        this.charts = charts;
    }

    private static String stageColour(String stage) {
        return switch (UsageTotals.stageRank(stage)) {
            case 0 -> PURPLE;
            case 1 -> SKY;
            case 2 -> ORANGE;
            case 3 -> GREEN;
            default -> GREY;
        };
    }

    void write() {
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
            charts.chart("chart-latency", "Mean latency per call, by stage and member",
                    "Horizontal bars in pipeline order: each member's mean latency per call in each stage, in "
                            + "milliseconds.", stageLegend, List.of(new Group(null, bars)),
                    Axis.nice(SvgBarCharts.max(bars), "mean latency per call (ms)"));
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
            charts.chart("chart-tokens", "Tokens per sentence, by stage and member",
                    "Stacked horizontal bars in pipeline order: prompt and completion tokens per sentence that each "
                            + "member reported in each stage.",
                    List.of(new Seg(0, BLUE, "prompt tokens"), new Seg(0, ORANGE, "completion tokens")),
                    List.of(new Group(null, bars)), Axis.nice(SvgBarCharts.max(bars), "tokens per sentence"));
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
}
