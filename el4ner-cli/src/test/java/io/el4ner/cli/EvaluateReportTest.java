package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The reports of a real {@code evaluate} run (scripted members that report tokens and take time, a demonstration
 * pool so that every stage runs): stages in pipeline order and members in configuration order in report.json,
 * report.md and report.html, whatever their alphabetical order; the page parses as XML and has the latency and
 * tokens charts; the resumed sentences are counted.
 */
class EvaluateReportTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> PIPELINE = List.of("pre_extraction", "extraction", "classification",
            "validation");

    @TempDir
    Path dir;

    private Path config() throws Exception {
        Map<String, Object> zeta = MainFixtures.aliceMember("zeta");
        Map<String, Object> alpha = MainFixtures.aliceMember("alpha");
        for (Map<String, Object> m : List.of(zeta, alpha)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> p = (Map<String, Object>) m.get("parameters");
            p.put("delayMillis", 2);
        }
        Map<String, Object> c = MainFixtures.config(zeta, alpha);
        Map<String, Object> demos = new LinkedHashMap<>();
        demos.put("k", 1);
        demos.put("pool", List.of(Map.of("text", "Bob went to Rome.", "entities", List.of(
                Map.of("start", 0, "end", 3, "type", "person"), Map.of("start", 12, "end", 16, "type", "location")))));
        c.put("demonstrations", demos);
        c.put("validation", Map.of("mode", "majority"));
        Path p = dir.resolve("config.json");
        Files.writeString(p, JSON.writeValueAsString(c), StandardCharsets.UTF_8);
        return p;
    }

    private static Document parse(Path html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        var b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b.parse(new InputSource(new StringReader(Files.readString(html, StandardCharsets.UTF_8))));
    }

    private static List<Element> all(Document doc, String localName) {
        NodeList nodes = doc.getElementsByTagNameNS("*", localName);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    private static Element byId(Document doc, String id) {
        return all(doc, "*").stream().filter(e -> e.getAttribute("id").equals(id)).findFirst().orElseThrow(
                () -> new AssertionError("no element with id " + id));
    }

    @Test
    void evaluate_report_isInPipelineOrderWithMembersInConfigurationOrder() throws Exception {
        Path gold = dir.resolve("gold.conll");
        Files.writeString(gold, "Alice\tB-person\nflew\tO\nto\tO\nParis\tB-location\n.\tO\n\n"
                + "Alice\tB-person\nstayed\tO\nin\tO\nParis\tB-location\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("out");
        Path cfg = config();
        MainFixtures.Run r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();

        List<String> expected = new ArrayList<>();
        for (String stage : PIPELINE) {
            expected.add(stage + "/zeta");
            expected.add(stage + "/alpha");
        }
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        List<String> entries = new ArrayList<>();
        report.path("usage").path("entries").forEach(e -> entries.add(e.path("stage").asText() + "/"
                + e.path("member").asText()));
        assertThat(entries).isEqualTo(expected);
        assertThat(report.path("usage").path("stages").fieldNames()).toIterable().containsExactlyElementsOf(PIPELINE);
        assertThat(report.path("resumedSentences").asInt()).isZero();

        String md = Files.readString(out.resolve("report.md"));
        int at = -1;
        for (String e : expected) {
            String[] sm = e.split("/");
            int next = md.indexOf("| " + sm[0] + " | " + sm[1] + " |");
            assertThat(next).as(e).isGreaterThan(at);
            at = next;
        }

        Document doc = parse(out.resolve("report.html"));
        List<String> rows = new ArrayList<>();
        for (Element tr : all(doc, "tr")) {
            if (tr.getAttribute("class").equals("entry")) {
                NodeList td = tr.getElementsByTagNameNS("*", "td");
                rows.add(td.item(0).getTextContent().strip() + "/" + td.item(1).getTextContent().strip());
            }
        }
        assertThat(rows).isEqualTo(expected);
        assertThat(all(doc, "pre")).isEmpty();
        // the scripted members take time and report tokens: both charts, members in configuration order
        for (String chart : List.of("chart-latency", "chart-tokens")) {
            List<String> labels = new ArrayList<>();
            NodeList texts = byId(doc, chart).getElementsByTagNameNS("*", "text");
            for (int i = 0; i < texts.getLength(); i++) {
                Element t = (Element) texts.item(i);
                if (t.getAttribute("class").equals("label")) {
                    labels.add(t.getTextContent());
                }
            }
            assertThat(labels).as(chart).isEqualTo(expected.stream().map(e -> e.replace("/", " · ")).toList());
        }
        assertThat(byId(doc, "chart-ablation").getElementsByTagNameNS("*", "g").getLength()).isGreaterThan(4);

        // run again: every sentence is resumed, and the reports say so
        MainFixtures.Run again = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                out.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(JSON.readTree(out.resolve("report.json").toFile()).path("resumedSentences").asInt()).isEqualTo(2);
        assertThat(Files.readString(out.resolve("report.md"))).contains("2 resumed from an earlier run");
        Document resumed = parse(out.resolve("report.html"));
        assertThat(byId(resumed, "summary-table").getTextContent()).contains("Sentences resumed from an earlier run2");
    }
}
