package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * What the CLI prints and how it exits when something is wrong: configuration errors (all at once, with their
 * paths), failing members, and never a secret.
 */
class MainErrorsTest extends MainFixtures {
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
