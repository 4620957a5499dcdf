package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * report.html read with the JDK's XML parser (the page is polyglot HTML5, so it must be well-formed XML): its
 * tables hold the report's numbers in pipeline order, its charts have axes, error bars and accessible names, it
 * embeds no Markdown, it shows a tokens chart only when members reported tokens, and untrusted text is escaped.
 */
class HtmlReportTest {
    static final String XHTML = "http://www.w3.org/1999/xhtml";
    static final String SVG = "http://www.w3.org/2000/svg";

    @TempDir
    Path dir;

    private record Page(EvaluationReport report, JsonNode json, String html, Document doc) {
    }

    private Page page(boolean withTokens) throws Exception {
        EvaluationReport report = ReportFixture.report(dir, withTokens);
        report.write(dir);
        String html = Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8);
        return new Page(report, report.json(), html, parse(html));
    }

    static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        var builder = f.newDocumentBuilder();
        builder.setErrorHandler(null);
        return builder.parse(new InputSource(new StringReader(html)));
    }

    static List<Element> all(Node in, String localName) {
        NodeList nodes = in instanceof Document d ? d.getElementsByTagNameNS("*", localName)
                : ((Element) in).getElementsByTagNameNS("*", localName);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    static List<Element> withClass(Node in, String localName, String cls) {
        return all(in, localName).stream().filter(e -> List.of(e.getAttribute("class").split(" ")).contains(cls))
                .toList();
    }

    static Element byId(Document doc, String id) {
        return all(doc, "*").stream().filter(e -> e.getAttribute("id").equals(id)).findFirst().orElse(null);
    }

    /** @return the text of each cell of each body row */
    static List<List<String>> bodyRows(Element table) {
        List<List<String>> rows = new ArrayList<>();
        for (Element tbody : all(table, "tbody")) {
            for (Element tr : all(tbody, "tr")) {
                List<String> cells = new ArrayList<>();
                for (Node c = tr.getFirstChild(); c != null; c = c.getNextSibling()) {
                    if (c instanceof Element e) {
                        cells.add(e.getTextContent().strip());
                    }
                }
                rows.add(cells);
            }
        }
        return rows;
    }

    private static String pct(JsonNode n) {
        return String.format(Locale.ROOT, "%.1f", 100 * n.asDouble());
    }

    @Test
    void html_report_isWellFormedXhtmlWithOneTitle() throws Exception {
        Page p = page(false);
        assertThat(p.html()).startsWith("<!DOCTYPE html>\n");
        Element html = p.doc().getDocumentElement();
        assertThat(html.getNamespaceURI()).isEqualTo(XHTML);
        assertThat(html.getAttribute("lang")).isEqualTo("en");
        assertThat(all(p.doc(), "title").get(0).getTextContent()).startsWith("el4ner evaluation: run <b>\"1\"</b>");
        // self-contained: nothing fetched, no script
        assertThat(all(p.doc(), "script")).isEmpty();
        assertThat(all(p.doc(), "link")).isEmpty();
        assertThat(all(p.doc(), "img")).isEmpty();
        assertThat(p.html().replace("http://www.w3.org/1999/xhtml", "").replace("http://www.w3.org/2000/svg", ""))
                .doesNotContain("http://").doesNotContain("https://").doesNotContain("url(");
    }

    @Test
    void html_tables_holdTheReportsNumbers() throws Exception {
        Page p = page(false);
        JsonNode json = p.json();

        List<List<String>> summary = bodyRows(byId(p.doc(), "summary-table"));
        assertThat(summary).contains(List.of("Sentences", "8"), List.of("Gold entities", "15"),
                List.of("Failed sentences (no answer)", "1"),
                List.of("Degraded sentences (answered without some member)", "0"),
                List.of("Sentences resumed from an earlier run", "3"));

        List<List<String>> causes = bodyRows(byId(p.doc(), "causes-table"));
        assertThat(causes).containsExactly(List.of("1", "extraction", "alpha", ReportFixture.HOSTILE_CAUSE),
                List.of("1", "extraction", ReportFixture.HOSTILE, ReportFixture.HOSTILE_CAUSE));

        // one row per ablation row, in pipeline order, with precision, recall, F1, interval, macro F1, tp, fp, fn
        List<List<String>> ablation = bodyRows(byId(p.doc(), "ablation-table"));
        assertThat(ablation.stream().map(r -> r.get(0)).toList()).containsExactly("member:alpha",
                "member:" + ReportFixture.HOSTILE, "union", "vote", "validation");
        List<String> names = new ArrayList<>();
        json.path("rows").fieldNames().forEachRemaining(names::add);
        for (int i = 0; i < names.size(); i++) {
            JsonNode row = json.path("rows").path(names.get(i));
            JsonNode m = row.path("micro");
            assertThat(ablation.get(i)).containsExactly(names.get(i), pct(m.path("precision")),
                    pct(m.path("recall")), pct(m.path("f1")), pct(row.path("f1Interval95").path("low")) + "–"
                            + pct(row.path("f1Interval95").path("high")), pct(row.path("macroF1")),
                    m.path("tp").asText(), m.path("fp").asText(), m.path("fn").asText());
        }
        assertThat(withClass(byId(p.doc(), "ablation-table"), "tr", "final")).hasSize(1);

        // per type: every type of the final answer
        List<List<String>> types = bodyRows(byId(p.doc(), "types-table"));
        assertThat(types.stream().map(r -> r.get(0)).toList()).containsExactly("corporation", "location", "person");
        JsonNode person = json.path("overall").path("types").path("person");
        assertThat(types.get(2)).containsExactly("person", "8", String.valueOf(person.path("tp").asInt()
                        + person.path("fp").asInt()), pct(person.path("precision")), pct(person.path("recall")),
                pct(person.path("f1")), person.path("tp").asText(), person.path("fp").asText(),
                person.path("fn").asText());

        // the validator's four outcomes, as counted in report.json
        JsonNode v = json.path("validator");
        assertThat(v.path("removedWrong").asInt()).isEqualTo(1);
        assertThat(v.path("removedRight").asInt()).isEqualTo(1);
        List<List<String>> validator = bodyRows(byId(p.doc(), "validator-table"));
        assertThat(validator.stream().map(r -> r.get(0) + "=" + r.get(2)).toList()).containsExactly(
                "kept, right=" + v.path("keptRight").asInt(), "removed, wrong=1",
                "removed, right (over-refusal)=1", "kept, wrong=" + v.path("keptWrong").asInt());

        // per dataset and per language, with intervals
        for (String[] g : new String[][] {{"datasets-table", "news-en", "news-es"}, {"languages-table", "en", "es"}}) {
            List<List<String>> rows = bodyRows(byId(p.doc(), g[0]));
            assertThat(rows.stream().map(r -> r.get(0)).toList()).containsExactly(g[1], g[2]);
            assertThat(rows.get(0).get(1)).isEqualTo("4");
            assertThat(rows.get(0).get(6)).matches("\\d+\\.\\d–\\d+\\.\\d");
        }
        JsonNode es = json.path("languages").path("es");
        assertThat(bodyRows(byId(p.doc(), "languages-table")).get(1).get(5)).isEqualTo(pct(es.path("micro").path("f1")));
    }

    @Test
    void html_usage_isInPipelineOrderEverywhere() throws Exception {
        Page p = page(false);
        List<String> expected = new ArrayList<>();
        for (String stage : List.of("pre_extraction", "extraction", "classification", "validation")) {
            for (String member : List.of("alpha", ReportFixture.HOSTILE)) {
                expected.add(stage + "/" + member);
            }
        }
        List<String> json = new ArrayList<>();
        p.json().path("usage").path("entries").forEach(e -> json.add(e.path("stage").asText() + "/"
                + e.path("member").asText()));
        assertThat(json).isEqualTo(expected);
        List<String> stages = new ArrayList<>();
        p.json().path("usage").path("stages").fieldNames().forEachRemaining(stages::add);
        assertThat(stages).containsExactly("pre_extraction", "extraction", "classification", "validation");

        Element table = byId(p.doc(), "usage-table");
        List<String> html = new ArrayList<>();
        for (Element tr : withClass(table, "tr", "entry")) {
            List<Element> td = all(tr, "td");
            html.add(td.get(0).getTextContent().strip() + "/" + td.get(1).getTextContent().strip());
        }
        assertThat(html).isEqualTo(expected);
        // a total per stage, with the failures counted
        List<Element> totals = withClass(all(table, "tbody").get(1), "tr", "total");
        assertThat(totals).hasSize(1);
        assertThat(all(totals.get(0), "td").get(3).getTextContent()).isEqualTo("2");
        // no member reported tokens: shown as not reported, not as 0
        assertThat(all(withClass(table, "tr", "entry").get(0), "td").get(5).getTextContent()).isEqualTo("–");

        String md = Files.readString(dir.resolve("report.md"));
        md = md.substring(md.indexOf("## Calls, tokens and latency"));
        assertThat(md.indexOf("| pre_extraction | alpha |")).isLessThan(md.indexOf("| extraction | alpha |"));
        assertThat(md.indexOf("| extraction | alpha |")).isLessThan(md.indexOf("| extraction | "
                + ReportFixture.HOSTILE + " |"));
        assertThat(md.indexOf("| extraction | " + ReportFixture.HOSTILE + " |"))
                .isLessThan(md.indexOf("| classification | alpha |"));
        assertThat(md.indexOf("| classification | alpha |")).isLessThan(md.indexOf("| validation | alpha |"));
    }

    @Test
    void html_charts_haveLabelledAxesErrorBarsAndAccessibleNames() throws Exception {
        Page p = page(false);
        List<Element> svgs = all(p.doc(), "svg");
        assertThat(svgs).extracting(e -> e.getAttribute("id")).containsExactly("chart-ablation", "chart-types",
                "chart-validator", "chart-datasets", "chart-languages", "chart-latency");
        for (Element svg : svgs) {
            assertThat(svg.getNamespaceURI()).isEqualTo(SVG);
            assertThat(svg.getAttribute("role")).isEqualTo("img");
            // aria-labelledby names the chart's own title and description
            String[] refs = svg.getAttribute("aria-labelledby").split(" ");
            assertThat(refs).hasSize(2);
            assertThat(byId(p.doc(), refs[0]).getLocalName()).isEqualTo("title");
            assertThat(byId(p.doc(), refs[0]).getTextContent()).isNotBlank();
            assertThat(byId(p.doc(), refs[1]).getLocalName()).isEqualTo("desc");
            // a value axis with ticks, tick labels and a title with the unit, and gridlines
            Element axis = withClass(svg, "g", "axis").get(0);
            assertThat(withClass(axis, "g", "tick").size()).isGreaterThanOrEqualTo(3);
            assertThat(withClass(axis, "text", "tick-label").get(0).getTextContent()).isEqualTo("0");
            assertThat(withClass(axis, "text", "axis-title").get(0).getTextContent()).isNotBlank();
            assertThat(all(withClass(svg, "g", "grid").get(0), "line")).isNotEmpty();
            // every bar says its numbers in a tooltip
            for (Element bar : withClass(svg, "g", "bar")) {
                assertThat(all(bar, "title")).hasSize(1);
                assertThat(all(bar, "rect")).isNotEmpty();
            }
        }
        Element ablation = byId(p.doc(), "chart-ablation");
        List<Element> ticks = withClass(ablation, "text", "tick-label");
        assertThat(ticks).extracting(Element::getTextContent).containsExactly("0", "10", "20", "30", "40", "50",
                "60", "70", "80", "90", "100");
        assertThat(withClass(ablation, "text", "axis-title").get(0).getTextContent()).contains("F1 (%)");
        // one bar with an error bar (a range and two caps) per ablation row, in pipeline order
        List<Element> bars = withClass(ablation, "g", "bar");
        assertThat(bars).extracting(b -> withClass(b, "text", "label").get(0).getTextContent()).containsExactly(
                "member:alpha", "member:<script>alert('m')</script>", "union", "vote", "validation");
        for (Element bar : bars) {
            List<Element> ci = withClass(bar, "g", "ci");
            assertThat(ci).hasSize(1);
            assertThat(withClass(ci.get(0), "line", "ci-range")).hasSize(1);
            assertThat(withClass(ci.get(0), "line", "ci-cap")).hasSize(2);
        }
        // the interval's ends sit where the report's bounds are on the axis
        JsonNode union = p.json().path("rows").path("union").path("f1Interval95");
        Element range = withClass(bars.get(2), "line", "ci-range").get(0);
        double x0 = Double.parseDouble(withClass(ablation, "g", "tick").get(0).getElementsByTagNameNS(SVG, "line")
                .item(0).getAttributes().getNamedItem("x1").getNodeValue());
        double x100 = Double.parseDouble(withClass(ablation, "g", "tick").get(10).getElementsByTagNameNS(SVG, "line")
                .item(0).getAttributes().getNamedItem("x1").getNodeValue());
        assertThat(Double.parseDouble(range.getAttribute("x1")))
                .isCloseTo(x0 + (x100 - x0) * union.path("low").asDouble(), org.assertj.core.api.Assertions.within(0.1));
        assertThat(Double.parseDouble(range.getAttribute("x2")))
                .isCloseTo(x0 + (x100 - x0) * union.path("high").asDouble(), org.assertj.core.api.Assertions.within(0.1));

        // per type: precision, recall and F1 bars per type, with a legend
        Element types = byId(p.doc(), "chart-types");
        assertThat(withClass(types, "g", "group")).hasSize(3);
        assertThat(withClass(types, "g", "bar")).hasSize(9);
        assertThat(withClass(types, "g", "ci")).isEmpty();
        assertThat(withClass(types, "g", "legend").get(0).getTextContent()).contains("precision", "recall", "F1");
        // validator: one stacked bar of four outcomes
        Element validator = byId(p.doc(), "chart-validator");
        assertThat(all(withClass(validator, "g", "bar").get(0), "rect")).hasSize(4);
        // datasets and languages: error bars
        assertThat(withClass(byId(p.doc(), "chart-datasets"), "g", "ci")).hasSize(2);
        assertThat(withClass(byId(p.doc(), "chart-languages"), "g", "ci")).hasSize(2);
        // latency per stage and member, in pipeline order, in ms
        Element latency = byId(p.doc(), "chart-latency");
        // (a long label is shortened on the chart; the bar's tooltip has it whole)
        assertThat(withClass(latency, "g", "bar")).extracting(b -> all(b, "title").get(0).getTextContent()
                .replaceAll(": mean latency.*", "")).containsExactly("pre_extraction · alpha",
                "pre_extraction · <script>alert('m')</script>", "extraction · alpha",
                "extraction · <script>alert('m')</script>", "classification · alpha",
                "classification · <script>alert('m')</script>", "validation · alpha",
                "validation · <script>alert('m')</script>");
        assertThat(withClass(latency, "text", "label").get(1).getTextContent()).isEqualTo(
                "pre_extraction · <script>alert('m…");
        assertThat(withClass(latency, "text", "axis-title").get(0).getTextContent()).contains("(ms)");
    }

    @Test
    void html_report_holdsNoMarkdown() throws Exception {
        Page p = page(false);
        assertThat(all(p.doc(), "pre")).isEmpty();
        String text = p.doc().getDocumentElement().getTextContent();
        assertThat(text).doesNotContain("|---").doesNotContain("**").doesNotContain("## ").doesNotContain("| member");
        assertThat(all(p.doc(), "table").size()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void html_noTokensReported_hasNoTokensChart() throws Exception {
        Page p = page(false);
        assertThat(byId(p.doc(), "chart-tokens")).isNull();
        assertThat(withClass(p.doc(), "p", "no-tokens")).singleElement()
                .extracting(Node::getTextContent).asString().contains("reported no token usage");
    }

    @Test
    void html_tokensReported_hasTokensChart() throws Exception {
        Page p = page(true);
        Element tokens = byId(p.doc(), "chart-tokens");
        assertThat(tokens).isNotNull();
        assertThat(withClass(p.doc(), "p", "no-tokens")).isEmpty();
        // prompt and completion stacked, per stage and member in pipeline order
        List<Element> bars = withClass(tokens, "g", "bar");
        assertThat(bars).hasSize(8);
        assertThat(all(bars.get(0), "rect")).hasSize(2);
        assertThat(withClass(bars.get(0), "text", "label").get(0).getTextContent()).isEqualTo("pre_extraction · alpha");
        assertThat(withClass(tokens, "text", "axis-title").get(0).getTextContent()).isEqualTo("tokens per sentence");
        Element table = byId(p.doc(), "usage-table");
        // 8 sentences × (300 + 10 × 14) prompt tokens
        assertThat(all(withClass(table, "tr", "entry").get(0), "td").get(5).getTextContent()).isEqualTo("3,520");
    }

    @Test
    void html_untrustedText_isEscaped() throws Exception {
        Page p = page(false);
        // the member's name and the cause hold <script>: they are text, never markup
        assertThat(all(p.doc(), "script")).isEmpty();
        assertThat(p.html()).doesNotContain("<script").doesNotContain("<b>")
                .contains("&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt;")
                .contains("HTTP 500: &lt;script&gt;alert(&quot;cause&quot;)&lt;/script&gt; &amp; more");
        // a control character (not allowed in XML) is replaced, so the page still parses
        assertThat(p.html()).doesNotContain("\u0001").contains("run &lt;b&gt;&quot;1&quot;&lt;/b&gt; \uFFFD");
        assertThat(Html.esc("a\uD800b\uD83D\uDE00c\u0085")).isEqualTo("a\uFFFDb\uD83D\uDE00c\uFFFD");
    }

    @Test
    void html_everySentenceFailed_pageSaysSo() throws Exception {
        EvaluationReport report = ReportFixture.allFailed(dir);
        report.write(dir);
        Document doc = parse(Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8));
        assertThat(bodyRows(byId(doc, "summary-table"))).contains(List.of("Failed sentences (no answer)", "8"));
        assertThat(bodyRows(byId(doc, "causes-table"))).containsExactly(List.of("8", "", "", "the deadline passed"));
        assertThat(bodyRows(byId(doc, "ablation-table"))).hasSize(1);
        // the gold types (all missed), but no validator, no breakdowns, no calls
        assertThat(all(doc, "svg")).extracting(e -> e.getAttribute("id")).containsExactly("chart-ablation",
                "chart-types");
        assertThat(bodyRows(byId(doc, "types-table")).get(0)).startsWith("corporation", "2", "0", "0.0", "0.0");
        assertThat(byId(doc, "usage").getTextContent()).contains("No member calls were recorded");
        assertThat(byId(doc, "validation")).isNull();
        assertThat(byId(doc, "per-dataset")).isNull();
    }
}
