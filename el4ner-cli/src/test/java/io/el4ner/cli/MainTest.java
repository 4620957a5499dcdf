package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "sk-secret-123";
    private static final String TEXT = "Alice flew to Paris.";

    @TempDir
    Path dir;

    /** What one in-process run printed. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }
    }

    static Run runWithStdin(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int exit = Main.run(args, in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(String... args) {
        return runWithStdin("", args);
    }

    // --- configuration helpers -----------------------------------------------------------------------------------

    static Map<String, Object> member(String name, String extraction, String classification, String validation) {
        Map<String, Object> answers = new LinkedHashMap<>();
        answers.put("extraction", extraction);
        answers.put("classification", classification);
        answers.put("validation", validation);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("answers", answers);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", "scripted");
        m.put("name", name);
        m.put("parameters", parameters);
        return m;
    }

    static Map<String, Object> aliceMember(String name) {
        return member(name, "[\"Alice\", \"Paris\"]", "{\"Alice\": \"person\", \"Paris\": \"location\"}",
                "{\"Alice\": true, \"Paris\": true}");
    }

    static Map<String, Object> failingMember(String name, String message) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("fail", true);
        parameters.put("failMessage", message);
        parameters.put("apiKey", SECRET);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", "scripted");
        m.put("name", name);
        m.put("parameters", parameters);
        return m;
    }

    static Map<String, Object> config(Object... members) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("entityTypes", List.of(Map.of("name", "person", "description", "Names of people"),
                Map.of("name", "location", "description", "Cities, countries, places")));
        c.put("members", List.of(members));
        return c;
    }

    Path write(String name, Object config) throws IOException {
        String text = config instanceof String s ? s : JSON.writeValueAsString(config);
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    Path aliceConfig() throws IOException {
        return write("config.json", config(aliceMember("m1")));
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static void assertAliceResult(Run r, String input) {
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).endsWith("\n");
        assertThat(r.out().strip()).doesNotContain("\n");
        JsonNode json = r.json();
        assertThat(fieldNames(json)).containsExactly("entities", "diagnostics", "usage", "degraded");
        JsonNode entities = json.get("entities");
        assertThat(entities).hasSize(2);
        for (JsonNode e : entities) {
            assertThat(fieldNames(e)).containsExactly("start", "end", "type", "text", "confidence");
            assertThat(input.substring(e.get("start").intValue(), e.get("end").intValue()))
                    .isEqualTo(e.get("text").asText());
        }
        assertThat(entities.get(0).toString())
                .isEqualTo("{\"start\":0,\"end\":5,\"type\":\"person\",\"text\":\"Alice\",\"confidence\":1.0}");
        assertThat(entities.get(1).toString())
                .isEqualTo("{\"start\":14,\"end\":19,\"type\":\"location\",\"text\":\"Paris\",\"confidence\":1.0}");
        assertThat(json.get("diagnostics")).isEmpty();
        assertThat(json.get("degraded").booleanValue()).isFalse();

        JsonNode usage = json.get("usage");
        assertThat(fieldNames(usage)).containsExactly("calls", "promptTokens", "completionTokens", "wallMillis",
                "stages");
        assertThat(usage.get("calls").intValue()).isEqualTo(3);
        assertThat(usage.get("promptTokens").longValue()).isEqualTo(30);
        assertThat(usage.get("completionTokens").longValue()).isEqualTo(15);
        assertThat(usage.get("wallMillis").isIntegralNumber()).isTrue();
        JsonNode stages = usage.get("stages");
        assertThat(stages).hasSize(3);
        assertThat(fieldNames(stages.get(0))).containsExactly("stage", "member", "calls", "failures",
                "promptTokens", "completionTokens", "unreportedUsage", "latencyMillis");
        List<String> stageNames = new ArrayList<>();
        stages.forEach(s -> stageNames.add(s.get("stage").asText()));
        assertThat(stageNames).containsExactly("extraction", "classification", "validation");
        for (JsonNode s : stages) {
            assertThat(s.get("member").asText()).isEqualTo("m1");
            assertThat(s.get("calls").intValue()).isEqualTo(1);
            assertThat(s.get("failures").intValue()).isZero();
            assertThat(s.get("promptTokens").longValue()).isEqualTo(10);
            assertThat(s.get("completionTokens").longValue()).isEqualTo(5);
            assertThat(s.get("unreportedUsage").intValue()).isZero();
        }
    }

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
    void noConfigOfflineWithEmptyCache_exitsOneSayingHowToGetTheDefaultModelsOrAConfig(@TempDir Path home) {
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

    // --- configuration errors ---------------------------------------------------------------------------------

    @Test
    void load_unknownTopLevelField_isNamed() throws IOException {
        Map<String, Object> c = config(aliceMember("m1"));
        c.put("memebers", List.of());
        Path p = write("config.json", c);
        Run r = run("recognize", "--config", p.toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(p + ": unknown field 'memebers' at $ (did you mean 'members'?); known fields: "
                + "entityTypes, members,");
    }

    @Test
    void load_unknownNestedFieldAndMissingProvider_areNamed() throws IOException {
        Path p = write("config.json", """
                {"entityTypes": [{"name": "person", "descripton": "People"}],
                 "members": [{"provder": "scripted", "name": "m1"}]}
                """);
        Run r = run("recognize", "--config", p.toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains("unknown field 'descripton' at $.entityTypes[0] (did you mean 'description'?)")
                .contains("unknown field 'provder' at $.members[0] (did you mean 'provider'?)")
                .contains("missing required field 'provider' at $.members[0]");
    }

    @Test
    void load_emptyObject_namesTheRequiredFields() throws IOException {
        Run r = run("recognize", "--config", write("c.json", "{}").toString(), "--text", "hi");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("missing required field 'entityTypes' at $")
                .contains("missing required field 'members' at $");
    }

    @Test
    void load_wrongTypes_areNamedWithTheirPath() throws IOException {
        Map<String, Object> c = config(aliceMember("m1"));
        c.put("timeoutSeconds", "soon");
        c.put("maxConcurrentCalls", 0);
        c.put("nestedEntities", "no");
        c.put("validation", Map.of("mode", "sometimes"));
        c.put("aggregator", Map.of("provider", "voting", "quorum", 2));
        Run r = run("recognize", "--config", write("config.json", c).toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains("$.timeoutSeconds must be a number of seconds > 0, got a string")
                .contains("$.maxConcurrentCalls must be an integer >= 1, got 0")
                .contains("$.nestedEntities must be true or false, got a string")
                .contains("$.validation.mode must be one of \"single\", \"majority\", \"unanimous\", \"none\"")
                .contains("$.aggregator.quorum cannot be combined with a custom aggregator");
    }

    @Test
    void load_badDemonstrations_areNamedWithFileAndLine() throws IOException {
        Files.writeString(dir.resolve("demos.jsonl"), "{\"text\": \"Bob\", \"entities\": [{\"start\": 0, "
                + "\"end\": 3, \"type\": \"animal\"}]}\n{not json}\n", StandardCharsets.UTF_8);
        Map<String, Object> c = config(aliceMember("m1"));
        c.put("demonstrations", Map.of("file", "demos.jsonl", "pool", List.of(Map.of("text", "Carol",
                "entities", List.of(Map.of("start", 0, "end", 9, "type", "person"),
                        Map.of("start", 0, "end", 3, "type", "person", "text", "Cat"))))));
        Run r = run("recognize", "--config", write("config.json", c).toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains("$.demonstrations.pool[0].entities[0] spans [0, 9), which is not inside the text of "
                        + "length 5")
                .contains("$.demonstrations.pool[0].entities[1].text is \"Cat\" but [0, 3) covers \"Car\"")
                .contains("demos.jsonl: line 1: $.entities[0].type \"animal\" is not one of the entityTypes "
                        + "[location, person]")
                .contains("demos.jsonl: line 2: not valid JSON");
    }

    @Test
    void load_missingDemonstrationFile_isNamed() throws IOException {
        Map<String, Object> c = config(aliceMember("m1"));
        c.put("demonstrations", Map.of("file", "nope.jsonl"));
        Run r = run("recognize", "--config", write("config.json", c).toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("$.demonstrations.file: nope.jsonl: demonstration file not found")
                .contains("(relative paths are resolved against the configuration file's folder ")
                .doesNotContain("the current folder");
        assertThat(r.err().split("relative paths are resolved", -1)).hasSize(2);
    }

    @Test
    void load_malformedJson_exitsTwoWithItsLocation() throws IOException {
        Path p = write("config.json", "{\"entityTypes\": [\n  {\"name\": \"person\",}\n");
        Run r = run("recognize", "--config", p.toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: " + p + ": not valid JSON: ").contains("(line ");
    }

    @Test
    void load_duplicateKeys_areRejected() throws IOException {
        Path p = write("config.json", "{\"members\": [], \"members\": []}");
        Run r = run("recognize", "--config", p.toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Duplicate field 'members'");
    }

    @Test
    void load_emptyOrNonObjectConfig_isRejected() throws IOException {
        Run empty = run("recognize", "--config", write("a.json", "").toString(), "--text", TEXT);
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("the file is empty");
        Run array = run("recognize", "--config", write("b.json", "[]").toString(), "--text", TEXT);
        assertThat(array.exit()).isEqualTo(2);
        assertThat(array.err()).contains("must be a JSON object").contains("got an array");
    }

    @Test
    void load_missingConfigFile_exitsTwo() {
        Path missing = dir.resolve("missing.json");
        Run r = run("recognize", "--config", missing.toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(missing + ": configuration file not found");
    }

    @Test
    void recognize_missingOrInvalidInputFile_exitsTwo() throws IOException {
        Run missing = run("recognize", "--config", aliceConfig().toString(), "--input",
                dir.resolve("none.txt").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("none.txt: input file not found");
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'h', 'i', (byte) 0xC3, '(', ' '});
        Run invalid = run("recognize", "--config", aliceConfig().toString(), "--input", bad.toString());
        assertThat(invalid.exit()).isEqualTo(2);
        assertThat(invalid.err()).contains("not valid UTF-8 (byte 2)");
    }

    @Test
    void build_unknownProvider_listsTheAvailableOnes() throws IOException {
        Map<String, Object> c = config(Map.of("provider", "open-ai-compatible", "name", "qwen",
                "parameters", Map.of("apiKey", SECRET, "model", "qwen2.5")));
        Run r = run("recognize", "--config", write("config.json", c).toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("no ModelMemberProvider named 'open-ai-compatible'; available: [onnx, openai-compatible, "
                + "record-replay, replay-predictions, scripted, simulated]")
                .contains("note: check the provider's name")
                .doesNotContain(SECRET);
    }

    @Test
    void build_unknownRetrieverProvider_exitsTwoWithoutTheMemberNote() throws IOException {
        Map<String, Object> c = config(aliceMember("m1"));
        c.put("demonstrations", Map.of("pool", List.of(Map.of("text", "Carol"))));
        c.put("retriever", Map.of("provider", "dense"));
        Run r = run("recognize", "--config", write("config.json", c).toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no RetrieverProvider named 'dense'; available: [token-overlap, span-sim]")
                .doesNotContain("note:");
    }

    @Test
    void build_verifierNotAMember_exitsTwo() throws IOException {
        Map<String, Object> c = config(aliceMember("m1"));
        c.put("validation", Map.of("verifier", "m9"));
        Run r = run("recognize", "--config", write("config.json", c).toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("verifier 'm9' is not a member; members: [m1]");
    }

    @Test
    void build_providerParameterErrors_exitTwo() throws IOException {
        Map<String, Object> m = aliceMember("m1");
        m.put("parameters", Map.of("answerz", Map.of()));
        Run r = run("recognize", "--config", write("config.json", config(m)).toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown parameter 'answerz'; did you mean 'answers'?");
    }

    @Test
    void build_severalProblems_reportedInOneRun() throws IOException {
        Map<String, Object> typo = aliceMember("m1");
        typo.put("parameters", Map.of("answerz", Map.of(), "apiKey", SECRET));
        Map<String, Object> c = config(typo, aliceMember("m2"),
                Map.of("provider", "scriptd", "name", "m3"));
        c.put("aggregator", Map.of("weights", Map.of("m1", 1.0, "m4", 2.0)));
        c.put("validation", Map.of("mode", "single", "verifier", "m9"));
        Path file = write("config.json", c);

        Run r = run("recognize", "--config", file.toString(), "--text", TEXT);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        List<String> lines = r.err().lines().toList();
        String prefix = "error: " + file + ": ";
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith(prefix + "member #1 (scripted): unknown parameter 'answerz'; did you mean "
                + "'answers'?");
        assertThat(lines.get(1)).startsWith(prefix + "no ModelMemberProvider named 'scriptd'; available: [");
        assertThat(lines.subList(2, 5)).containsExactly(
                prefix + "memberWeights names 'm4', which is not a member; members: [m1, m2, m3]",
                prefix + "verifier 'm9' is not a member; members: [m1, m2, m3]",
                "note: check the provider's name; to use a provider of your own, put its jar on the class path and "
                        + "start io.el4ner.cli.Main with -cp (see 'el4ner help config')");
        assertThat(r.err()).doesNotContain(SECRET);
    }

    // --- runtime failures ---------------------------------------------------------------------------------------

    @Test
    void recognize_memberFailingInEveryStage_exitsOne() throws IOException {
        Path p = write("config.json", config(failingMember("broken", "connection refused")));
        Run r = run("recognize", "--config", p.toString(), "--text", TEXT);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("error: recognition failed: no member answered the")
                .contains("stage; each member's error:\n  member 'broken' (")
                .doesNotContain("failures()")
                .contains("connection refused");
    }

    @Test
    void recognize_oneMemberFailing_degradesTheResult() throws IOException {
        Path p = write("config.json", config(aliceMember("m1"), failingMember("broken", "bad key " + SECRET)));
        Run r = run("recognize", "--config", p.toString(), "--text", TEXT);
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = r.json();
        assertThat(json.get("degraded").booleanValue()).isTrue();
        assertThat(json.get("entities")).hasSize(2);
        JsonNode d = json.get("diagnostics").get(0);
        assertThat(d.get("kind").asText()).isEqualTo("member_failure");
        assertThat(d.get("member").asText()).isEqualTo("broken");
        assertThat(d.get("message").asText()).isEqualTo("bad key ****");
        assertThat(r.out()).doesNotContain(SECRET);
    }

    // --- secrets ----------------------------------------------------------------------------------------------------

    @Test
    void errors_secretsInConfig_neverAppear() throws IOException {
        // an unknown field elsewhere in a file holding a key
        Map<String, Object> c = config(failingMember("broken", "x"));
        c.put("retries", 3);
        Run unknown = run("recognize", "--config", write("a.json", c).toString(), "--text", TEXT);
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown field 'retries'");
        assertThat(unknown.out() + unknown.err()).doesNotContain(SECRET);

        // a provider that puts the key in its message
        Map<String, Object> leaky = new LinkedHashMap<>(aliceMember("m1"));
        leaky.put("parameters", Map.of("leakOnCreate", true, "apiKey", SECRET));
        Run create = run("recognize", "--config", write("b.json", config(leaky)).toString(), "--text", TEXT);
        assertThat(create.exit()).isEqualTo(2);
        assertThat(create.err()).contains("refused api key ****");
        assertThat(create.out() + create.err()).doesNotContain(SECRET);

        // a member whose failures carry the key
        Run failing = run("recognize", "--config",
                write("c.json", config(failingMember("broken", "401 for key " + SECRET))).toString(), "--text", TEXT);
        assertThat(failing.exit()).isEqualTo(1);
        assertThat(failing.err()).contains("401 for key ****");
        assertThat(failing.out() + failing.err()).doesNotContain(SECRET);

        // a key typed without quotes makes the file malformed
        Run malformed = run("recognize", "--config", write("d.json", "{\"members\": [{\"parameters\": "
                + "{\"apiKey\": sksecret12345}}]}").toString(), "--text", TEXT);
        assertThat(malformed.exit()).isEqualTo(2);
        assertThat(malformed.err()).contains("not valid JSON").doesNotContain("sksecret12345");
    }

    @Test
    void errors_secretsAtAnyDepth_areMasked() {
        Secrets s = Secrets.in(JSON.valueToTree(Map.of("members", List.of(Map.of("parameters", Map.of(
                "headers", Map.of("Authorization", "Bearer abcdef"), "password", "hunter22", "model", "qwen-7b"))))));
        assertThat(s.mask("sent Bearer abcdef and hunter22 to qwen-7b")).isEqualTo("sent **** and **** to qwen-7b");
    }

    @Test
    void logging_configuration_goesToStderr() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Main.class.getClassLoader().getResourceAsStream("simplelogger.properties")) {
            assertThat(in).isNotNull();
            p.load(in);
        }
        assertThat(p.getProperty("org.slf4j.simpleLogger.logFile")).isEqualTo("System.err");
        assertThat(p.getProperty("org.slf4j.simpleLogger.defaultLogLevel")).isEqualTo("warn");
    }

    @Test
    void closest_unknownName_suggestsOnlyCloseNames() {
        assertThat(JsonChecker.closest("memebers", ConfigLoader.TOP_LEVEL)).isEqualTo("members");
        assertThat(JsonChecker.closest("Members", ConfigLoader.TOP_LEVEL)).isEqualTo("members");
        assertThat(JsonChecker.closest("retries", ConfigLoader.TOP_LEVEL)).isNull();
    }
}
