package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command lines that succeed, and help, version and usage errors. */
class MainTest extends MainFixtures {
    // --- success ---------------------------------------------------------------------------------------------------

    @Test
    void recognize_text_printsEntitiesAsJson() throws IOException {
        Run r = run("recognize", "--config", aliceConfig().toString(), "--text", TEXT);
        assertAliceResult(r, TEXT);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void recognize_inputFile_readsTheText() throws IOException {
        Path input = write("input.txt", TEXT);
        assertAliceResult(run("recognize", "-c", aliceConfig().toString(), "-i", input.toString()), TEXT);
    }

    @Test
    void recognize_noTextOrInput_readsStdin() throws IOException {
        assertAliceResult(runWithStdin(TEXT, "recognize", "--config", aliceConfig().toString()), TEXT);
    }

    @Test
    void recognize_dashInput_readsStdin() throws IOException {
        assertAliceResult(runWithStdin(TEXT, "recognize", "--config", aliceConfig().toString(), "--input", "-"), TEXT);
    }

    @Test
    void recognize_utf8Input_offsetsAreUtf16Indices() throws IOException {
        String text = "😀 Zoë met Ana in Zürich.\n";
        Path cfg = write("config.json", config(member("m1", "[\"Zoë\", \"Zürich\"]",
                "{\"Zoë\": \"person\", \"Zürich\": \"location\"}", "{\"Zoë\": true, \"Zürich\": true}")));
        Path input = dir.resolve("input.txt");
        Files.write(input, text.getBytes(StandardCharsets.UTF_8));
        Run r = run("recognize", "--config", cfg.toString(), "--input", input.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode entities = r.json().get("entities");
        assertThat(entities).hasSize(2);
        assertThat(entities.get(0).get("start").intValue()).isEqualTo(3);
        assertThat(entities.get(0).get("end").intValue()).isEqualTo(6);
        for (JsonNode e : entities) {
            assertThat(text.substring(e.get("start").intValue(), e.get("end").intValue()))
                    .isEqualTo(e.get("text").asText());
        }
        assertThat(r.out()).contains("\"Zürich\""); // raw UTF-8, not \\u escapes
    }

    @Test
    void recognize_diagnostics_areObjectsWithFiveFields() throws IOException {
        String text = "Alice flew to Paris. Bob stayed home.";
        Run r = run("recognize", "--config", aliceConfig().toString(), "--text", text);
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = r.json();
        assertThat(json.get("entities")).hasSize(2);
        JsonNode diagnostics = json.get("diagnostics");
        assertThat(diagnostics).hasSize(2); // Alice and Paris are not in the second sentence
        for (JsonNode d : diagnostics) {
            assertThat(fieldNames(d)).containsExactly("kind", "stage", "member", "message", "detail");
            assertThat(d.get("kind").asText()).isEqualTo("unanchored_span");
            assertThat(d.get("stage").asText()).isEqualTo("extraction");
            assertThat(d.get("member").asText()).isEqualTo("m1");
        }
        assertThat(diagnostics.get(0).get("detail").asText()).isEqualTo("Alice");
        assertThat(json.get("usage").get("calls").intValue()).isEqualTo(4);
        assertThat(json.get("degraded").booleanValue()).isFalse();
    }

    @Test
    void recognize_provenanceFlag_addsProvenance() throws IOException {
        Run r = run("recognize", "--config", aliceConfig().toString(), "--text", TEXT, "--provenance");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode e = r.json().get("entities").get(0);
        assertThat(fieldNames(e)).containsExactly("start", "end", "type", "text", "confidence", "provenance");
        assertThat(e.get("provenance").toString()).isEqualTo("{\"proposedBy\":[\"m1\"],\"labels\":{\"m1\":\"person\"},"
                + "\"validation\":\"accepted\",\"validatedBy\":[\"m1\"],\"rejectedBy\":[]}");
    }

    @Test
    void recognize_pretty_printsTheSameObject() throws IOException {
        Run compact = run("recognize", "--config", aliceConfig().toString(), "--text", TEXT);
        Run pretty = run("recognize", "--config", aliceConfig().toString(), "--text", TEXT, "--pretty");
        assertThat(pretty.exit()).isZero();
        assertThat(pretty.out().strip()).contains("\n");
        assertThat(pretty.json().get("entities")).isEqualTo(compact.json().get("entities"));
        assertThat(pretty.json().get("usage").get("calls")).isEqualTo(compact.json().get("usage").get("calls"));
    }

    @Test
    void recognize_blankText_emptyResultWithoutCalls() throws IOException {
        Run r = run("recognize", "--config", aliceConfig().toString(), "--text", "   ");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().get("entities")).isEmpty();
        assertThat(r.json().get("usage").get("calls").intValue()).isZero();
    }

    @Test
    void recognize_poolAndJsonlFile_usesBoth() throws IOException {
        Files.writeString(dir.resolve("demos.jsonl"), "{\"text\": \"Bob lives in Rome.\", \"entities\": ["
                + "{\"start\": 0, \"end\": 3, \"type\": \"person\"}, {\"start\": 13, \"end\": 17, \"type\": "
                + "\"location\", \"text\": \"Rome\"}]}\n\n{\"text\": \"Nothing here.\"}\n", StandardCharsets.UTF_8);
        Map<String, Object> c = config(aliceMember("m1"));
        c.put("demonstrations", Map.of("k", 2, "file", "demos.jsonl", "pool", List.of(Map.of(
                "text", "Carol visited Oslo.", "entities", List.of(Map.of("start", 0, "end", 5, "type", "person"))))));
        c.put("retriever", Map.of("provider", "token-overlap"));
        c.put("validation", Map.of("mode", "majority", "skipWhenUnanimous", true));
        c.put("aggregator", Map.of("quorum", 1, "weights", Map.of("m1", 2.0)));
        c.put("timeoutSeconds", 30);
        c.put("maxConcurrentCalls", 4);
        c.put("nestedEntities", false);
        Run r = run("recognize", "--config", write("config.json", c).toString(), "--text", TEXT);
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> stages = new ArrayList<>();
        r.json().get("usage").get("stages").forEach(s -> stages.add(s.get("stage").asText()));
        // pre-extraction runs because there is a pool; validation is skipped because the only member is unanimous
        assertThat(stages).containsExactly("pre_extraction", "extraction", "classification");
        assertThat(r.json().get("entities")).hasSize(2);
    }

    @Test
    void recognize_customAggregatorAndValidator_createdByProvider() throws IOException {
        Map<String, Object> c = config(aliceMember("m1"));
        c.put("aggregator", Map.of("provider", "voting", "parameters", Map.of("quorum", 1)));
        c.put("validation", Map.of("provider", "self", "parameters", Map.of("mode", "unanimous")));
        Run r = run("recognize", "--config", write("config.json", c).toString(), "--text", TEXT);
        assertAliceResult(r, TEXT);
    }

    @Test
    void recognize_validationNone_makesNoValidationCalls() throws IOException {
        Map<String, Object> c = config(aliceMember("m1"));
        c.put("validation", Map.of("mode", "none"));
        Run r = run("recognize", "--config", write("config.json", c).toString(), "--text", TEXT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().get("usage").get("calls").intValue()).isEqualTo(2);
        assertThat(r.json().get("entities")).hasSize(2);
    }

    // --- help, version, usage errors ---------------------------------------------------------------------------

    @Test
    void help_anyForm_exitsZero() {
        Run top = run("--help");
        assertThat(top.exit()).isZero();
        assertThat(top.out()).contains("Usage: el4ner").contains("recognize");
        Run sub = run("recognize", "--help");
        assertThat(sub.exit()).isZero();
        assertThat(sub.out()).contains("--config").contains("--text").contains("--input").contains("--provenance");
    }

    @Test
    void version_option_printsTheVersion() {
        Run r = run("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("el4ner ").doesNotContain("${").doesNotContain("unknown");
    }

    @Test
    void main_noCommand_printsUsageToStderrAndExitsTwo() {
        Run r = run();
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("Usage: el4ner").contains("recognize");
    }

    @Test
    void main_noConfigOfflineWithEmptyCache_exitsOneSayingHowToGetTheDefaultModelsOrAConfig(@TempDir Path home) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int exit = Main.run(new String[] {"recognize", "--text", "hi"}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("HF_HOME", home.toString(), "HF_HUB_OFFLINE", "1"));
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("el4ner models --download", "--config");
    }

    @Test
    void recognize_textAndInputTogether_exitsTwo() throws IOException {
        Run r = run("recognize", "--config", aliceConfig().toString(), "--text", "hi", "--input", "x.txt");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("mutually exclusive").doesNotContain("Error: ");
    }

    @Test
    void main_unknownOptionOrCommand_exitsTwo() throws IOException {
        Run r = run("recognize", "--config", aliceConfig().toString(), "--text", "hi", "--bogus");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--bogus");
        Run misspelt = run("recognize", "--confg", "c.json", "--text", "hi");
        assertThat(misspelt.exit()).isEqualTo(2);
        assertThat(misspelt.err()).contains("Unknown options: '--confg'").contains("--config");
        Run command = run("recognise");
        assertThat(command.exit()).isEqualTo(2);
        assertThat(command.err()).contains("Did you mean: el4ner recognize");
    }

    @Test
    void recognize_atSignText_isNotAnArgumentFile() throws IOException {
        Run r = run("recognize", "--config", aliceConfig().toString(), "--text", "@nonexistent");
        assertThat(r.exit()).as(r.err()).isZero();
    }

}
