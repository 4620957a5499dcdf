package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.core.EnsembleNer;
import io.el4ner.onnx.internal.OnnxDecoderMemberProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * el4ner-cli/CONFIG.md's examples: its command lines run, its configurations load and build, and its sample output
 * and error messages are what the CLI prints. {@link DocExamplesTest} checks that every block is covered.
 */
class ConfigMdDocExamplesTest extends DocExampleFixtures {
    /** Every variant of CONFIG.md's synopsis of {@code recognize} is a valid command line that runs. */
    @Test
    void configMd_recognizeSynopsis_runsInEveryVariant() throws IOException {
        List<List<String>> variants = DocCommandLines.synopsisVariants(block(CONFIG, 0).text());
        assertThat(variants).hasSize(3 * 2 * 2 * 3);
        String text = "Alice flew to Paris.";
        Path input = dir.resolve("input.txt");
        Files.writeString(input, text, StandardCharsets.UTF_8);
        String config = aliceConfig().toString();
        for (List<String> variant : variants) {
            List<String> args = DocCommandLines.el4nerArgs(variant);
            DocCommandLines.parse(args);
            List<String> run = DocCommandLines.substitute(args, Map.of("--config FILE", config, "--text TEXT", text,
                    "--input FILE", input.toString()));
            MainFixtures.Run r = MainFixtures.runWithStdin(text, run.toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", run, r.err()).isZero();
            assertThat(r.json().path("entities")).as("%s", run).hasSize(2);
        }
    }

    /** Starting {@code Main} with a provider of one's own on the class path: the scripted test member is one. */
    @Test
    void configMd_customProviderCommand_runs() throws IOException {
        List<List<String>> commands = DocCommandLines.commands(block(CONFIG, 1).text());
        assertThat(commands).hasSize(1);
        List<String> cmd = commands.get(0);
        assertThat(cmd.subList(0, 2)).containsExactly("java", "-cp");
        assertThat(cmd.get(2).split(":")).contains(DocCommandLines.jarName());
        assertThat(cmd.get(3)).isEqualTo(Main.class.getName());
        List<String> args = cmd.subList(4, cmd.size());
        DocCommandLines.parse(args);
        MainFixtures.Run r = MainFixtures.run(DocCommandLines.substitute(args, Map.of("--config config.json", aliceConfig().toString(),
                "--text ...", "Alice flew to Paris.")).toArray(String[]::new));
        MainFixtures.assertAliceResult(r, "Alice flew to Paris.");
    }

    /**
     * The in-process example builds: its two model folders, relative to the configuration file, are el4ner-onnx's
     * tiny test decoders under the example's names.
     */
    @Test
    void configMd_inProcessExample_loadsAndBuilds() throws IOException {
        Path fixtures = Path.of("../el4ner-onnx/src/test/resources/io/el4ner/onnx/decoders").toAbsolutePath()
                .normalize();
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(models.resolve("Qwen2.5-0.5B-Instruct"), fixtures.resolve("tiny-gqa"));
        Files.createSymbolicLink(models.resolve("SmolLM2-360M-Instruct"), fixtures.resolve("tiny-mha"));
        Path file = write("config.json", block(CONFIG, 2).text());
        CliConfig config = ConfigLoader.load(file);
        assertThat(config.members()).hasSize(2);
        for (CliConfig.Component member : config.members()) {
            assertThat(member.provider()).isEqualTo(OnnxDecoderMemberProvider.NAME);
            assertThat(OnnxDecoderMemberProvider.PARAMETERS).containsAll(member.parameters().keySet());
        }
        try (EnsembleNer ner = config.toBuilder().build()) {
            assertThat(ner).isNotNull();
        }
    }

    @Test
    void configMd_fullExample_loadsAndBuilds() throws IOException {
        Path file = write("config.json", block(CONFIG, 3).text());
        CliConfig config = ConfigLoader.load(file);
        assertThat(config.members()).hasSize(2);
        assertThat(config.pool()).hasSize(1);
        assertThat(config.weights()).containsOnlyKeys("qwen", "llama");
        if (System.getenv("QWEN_API_KEY") != null) {
            assertBuilds(config, file);
        } else {
            // apiKeyEnv names a variable this test cannot set: with it unset, that is the only problem
            El4nerConfigurationException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> config.toBuilder().build(), El4nerConfigurationException.class);
            assertThat(e.problems()).singleElement().asString()
                    .isEqualTo("member 'qwen': the environment variable QWEN_API_KEY (apiKeyEnv) is not set or empty;"
                            + " set it to the API key, or drop apiKeyEnv if the server needs none");
        }
    }

    /** The minimal configuration is complete but for its provider, which is one's own. */
    @Test
    void configMd_minimalConfiguration_loads() throws IOException {
        Path file = write("config.json", block(CONFIG, 4).text());
        CliConfig config = ConfigLoader.load(file);
        El4nerConfigurationException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> config.toBuilder().build(), El4nerConfigurationException.class);
        assertThat(e.problems()).singleElement().asString().startsWith("no ModelMemberProvider named 'my-provider'");
    }

    /** The demonstration object is a valid entry of an inline pool and, on one line, of a demonstrations file. */
    @Test
    void configMd_demonstrationObject_isAValidPoolEntryAndFileLine() throws IOException {
        String demo = block(CONFIG, 5).text();
        Map<String, Object> c = MainFixtures.config(MainFixtures.aliceMember("m1"));
        c.put("demonstrations", Map.of("pool", List.of(JSON.readTree(demo))));
        CliConfig inline = ConfigLoader.load(write("inline.json", JSON.writeValueAsString(c)));
        assertThat(inline.pool()).singleElement().satisfies(d -> {
            assertThat(d.text()).isEqualTo("Angela Merkel visited Paris.");
            assertThat(d.spans()).hasSize(2);
        });

        write("pool.jsonl", demo.replace("\n", " ") + "\n");
        c.put("demonstrations", Map.of("file", "pool.jsonl"));
        CliConfig fromFile = ConfigLoader.load(write("file.json", JSON.writeValueAsString(c)));
        assertThat(fromFile.pool()).isEqualTo(inline.pool());
    }

    // --- output ---------------------------------------------------------------------------------------------------

    /** The output example has the fields, in the order and of the JSON types, of a real degraded result. */
    @Test
    void configMd_outputExample_hasTheShapeOfARealResult() throws IOException {
        JsonNode doc = JSON.readTree(block(CONFIG, 6).text());
        Path config = write("config.json", JSON.writeValueAsString(MainFixtures.config(MainFixtures.aliceMember("qwen"),
                MainFixtures.failingMember("llama", "connection refused"))));
        MainFixtures.Run r = MainFixtures.run("recognize", "--config", config.toString(), "--text", "Alice flew to Paris.");
        assertThat(r.exit()).as(r.err()).isZero();
        assertSameShape(doc, r.json(), "$");
        assertThat(r.json().path("degraded").asBoolean()).isEqualTo(doc.path("degraded").asBoolean());
        assertThat(r.json().path("diagnostics").get(0).path("kind").asText())
                .isEqualTo(doc.path("diagnostics").get(0).path("kind").asText());
    }

    /** The summary example has the fields, in the order and of the JSON types, of a real summary. */
    @Test
    void configMd_evaluateSummaryExample_hasTheShapeOfARealOne() throws IOException {
        JsonNode doc = JSON.readTree(block(CONFIG, 10).text());
        Path gold = write("gold.conll", CONLLEVAL.get("iob2").replaceAll(" \\S+\n", "\n"));
        Path config = write("sim.json", simulatedConfig(gold.getFileName().toString(), "iob2", 0));
        MainFixtures.Run r = MainFixtures.run("evaluate", "--config", config.toString(), "--data", gold.toString(), "--out",
                dir.resolve("out").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertSameShape(doc, r.json(), "$");
        assertThat(r.json().path("sentences").asInt()).isEqualTo(r.json().path("recognized").asInt()
                + r.json().path("resumed").asInt());
    }

    /**
     * The two examples of configuration errors are what the CLI prints for a file with those mistakes: first the
     * file's own problems, all at once; then, with those fixed, every problem found while creating the ensemble.
     */
    @Test
    void configMd_configurationErrorExamples_areWhatTheCliPrints() throws IOException {
        Map<String, Object> qwen = new LinkedHashMap<>(Map.of("provider", "openai-compatible", "name", "qwen",
                "parameters", Map.of("baseUrl", "http://localhost:8000/v1", "model", "Qwen2.5-7B-Instruct",
                        "apiKey", "sk-not-shown")));
        Map<String, Object> llama = new LinkedHashMap<>(Map.of("provider", "openai-compatibel", "name", "llama",
                "parameters", Map.of("baseUrl", "http://localhost:8001/v1", "model", "Llama-3.1-8B-Instruct")));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("entityTypes", List.of(Map.of("name", "person", "description", "Names of people")));
        c.put("memebers", List.of(qwen, llama));
        c.put("timeoutSeconds", "120");
        Path file = write("config.json", JSON.writeValueAsString(c));
        MainFixtures.Run fileProblems = MainFixtures.run("recognize", "--config", file.toString(), "--text", "x");
        assertThat(fileProblems.exit()).isEqualTo(2);
        assertPrints(fileProblems.err(), block(CONFIG, 7).text());

        c.put("members", c.remove("memebers"));
        c.put("timeoutSeconds", 120);
        c.put("aggregator", Map.of("weights", Map.of("qwen", 1.0, "lama", 0.8)));
        c.put("validation", Map.of("mode", "single", "verifier", "qwn"));
        write("config.json", JSON.writeValueAsString(c));
        MainFixtures.Run assembly = MainFixtures.run("recognize", "--config", file.toString(), "--text", "x");
        assertThat(assembly.exit()).isEqualTo(2);
        assertThat(assembly.err()).doesNotContain("sk-not-shown");
        // the test class path has one provider more than el4ner.jar: the scripted test member
        assertPrints(assembly.err().replace("replay-predictions, scripted, simulated", "replay-predictions, simulated"),
                block(CONFIG, 8).text());
    }

    /** The example of a run that cannot be resumed is what evaluate prints after that change. */
    @Test
    void configMd_changedRunExample_isWhatEvaluatePrints() throws IOException {
        Path gold = write("gold.conll", CONLLEVAL.get("iob2").replaceAll(" \\S+\n", "\n"));
        Path config = write("sim.json", simulatedConfig(gold.getFileName().toString(), "iob2", 0.3));
        String out = dir.resolve("out").toString();
        MainFixtures.Run first = MainFixtures.run("evaluate", "--config", config.toString(), "--data", gold.toString(),
                "--out", out, "--seed", "1");
        assertThat(first.exit()).as(first.err()).isZero();
        write("sim.json", simulatedConfig(gold.getFileName().toString(), "iob2", 0.9));
        MainFixtures.Run changed = MainFixtures.run("evaluate", "--config", config.toString(), "--data", gold.toString(),
                "--out", out, "--seed", "4");
        assertThat(changed.exit()).isEqualTo(2);
        assertPrints(changed.err(), block(CONFIG, 9).text());
    }

    /**
     * The examples of failed sentences are what evaluate prints when the members' gold lacks all but the first of
     * seven sentences of data/esp.testb.
     */
    @Test
    void configMd_failedSentencesExamples_areWhatEvaluatePrints() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        String first = "Alice\tB-person\nsmiled\tO\n";
        Path known = write("data/known.conll", first);
        Path data = write("data/esp.testb", first + "\nCarol\tB-person\nmet\tO\nDave\tB-person\n\n"
                + "Eve\tB-person\nleft\tO\n\nFrank\tB-person\nstayed\tO\n\nGrace\tB-person\nsang\tO\n\n"
                + "Heidi\tB-person\nran\tO\n\nIvan\tB-person\nslept\tO\n");
        ObjectNode c = JSON.createObjectNode();
        c.putArray("entityTypes").addObject().put("name", "person").put("description", "Names of people");
        var members = c.putArray("members");
        for (String name : List.of("a", "b")) {
            members.addObject().put("provider", "simulated").put("name", name).putObject("parameters")
                    .put("gold", known.toString());
        }
        Path config = write("sim.json", JSON.writeValueAsString(c));
        MainFixtures.Run r = MainFixtures.run("evaluate", "--config", config.toString(), "--data", data.toString(), "--out",
                dir.resolve("out").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertPrints(r.err(), block(CONFIG, 11).text());
        assertPrints(r.err(), block(CONFIG, 12).text());
    }

    /**
     * Asserts that the lines of an example appear in a row in what was printed, with this test's folder taken out
     * of the paths; "…" in the example stands for any text (it also matches itself).
     */
    private void assertPrints(String printed, String example) {
        String actual = printed.replace(dir + java.io.File.separator, "").replace(dir.toString(), "")
                .replace("\r\n", "\n");
        String regex = example.lines().map(line -> java.util.Arrays.stream(line.split("…", -1))
                        .map(Pattern::quote).collect(Collectors.joining(".*?")))
                .collect(Collectors.joining("\n", "(?m)^", "$"));
        assertThat(Pattern.compile(regex).matcher(actual).find())
                .as("the example%n%s%nis printed; what was printed:%n%s", example, actual).isTrue();
    }

    /** Same field names in the same order, same JSON types, recursively; arrays by their first element. */
    private static void assertSameShape(JsonNode doc, JsonNode real, String path) {
        assertThat(real.getNodeType()).as("JSON type at %s", path).isEqualTo(doc.getNodeType());
        if (doc.isObject()) {
            assertThat(MainFixtures.fieldNames(real)).as("fields at %s", path).isEqualTo(MainFixtures.fieldNames(doc));
            for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertSameShape(doc.get(f), real.get(f), path + "." + f);
            }
        } else if (doc.isArray() && !doc.isEmpty()) {
            assertThat(real).as("array at %s", path).isNotEmpty();
            assertSameShape(doc.get(0), real.get(0), path + "[0]");
        }
    }
}
