package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.core.EnsembleNer;
import io.el4ner.hub.testing.LoopbackHub;
import io.el4ner.onnx.internal.OnnxDecoderMemberProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * Every example in README.md and el4ner-cli/CONFIG.md is run by a test: configurations are loaded and built,
 * fragments are checked against what they illustrate, command lines are parsed with the real command model and,
 * where no model server is needed, run; Java blocks are compared with the compiled and tested copies in the test
 * sources; sample output is compared with what the CLI prints.
 *
 * <p>{@link #COVERED} lists every fenced block of the two files by position, with the start of its first line and
 * the test here that checks it. A new, moved or removed block fails {@link #docs_everyFencedBlock_isCoveredByATest()}
 * until the list says which test covers it.
 */
class DocExamplesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The repository: tests run in el4ner-cli. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String README = "README.md";
    private static final String CONFIG = "el4ner-cli/CONFIG.md";

    /** A fenced block of a Markdown file: its position, its info string ("java", "json" or none) and its text. */
    record Block(String file, int index, int line, String lang, String text) {
        String firstLine() {
            return text.lines().findFirst().orElse("");
        }

        @Override
        public String toString() {
            return file + " block " + index + " (line " + line + ", ```" + lang + ", \"" + firstLine() + "\")";
        }
    }

    /**
     * @param file the Markdown file, from the repository's root
     * @param index the block's position among the file's fenced blocks, from 0
     * @param firstLine how the block's first line starts
     * @param test the test method of this class that checks it
     */
    record Covered(String file, int index, String firstLine, String test) {
    }

    static final List<Covered> COVERED = List.of(
            new Covered(README, 0, "// A member is one LLM", "readme_javaBlocks_equalTheirCompiledCopies"),
            new Covered(README, 1, "./mvnw -q -DskipTests package && java -jar", "readme_quickStartCommands_run"),
            new Covered(README, 2, "java -jar el4ner-cli/target/el4ner.jar recognize --config examples/el4ner.json",
                    "readme_serverExample_stopsNamingTheUrls"),
            new Covered(README, 3, "java -jar el4ner-cli/target/el4ner.jar recognize --config FILE",
                    "readme_recognizeSynopsis_runs"),
            new Covered(README, 4, "{", "readme_configuration_isTheExampleFileAndBuilds"),
            new Covered(README, 5, "java -jar el4ner-cli/target/el4ner.jar inspect", "readme_measuringSynopses_run"),
            new Covered(README, 6, "<dependencyManagement>", "readme_mavenSnippet_usesTheRealCoordinates"),
            new Covered(README, 7, "EnsembleNer ner = EnsembleNer.builder()",
                    "readme_javaBlocks_equalTheirCompiledCopies"),
            new Covered(README, 8, "try (OnnxDecoderMember qwen = OnnxDecoderMember.builder()",
                    "readme_javaBlocks_equalTheirCompiledCopies"),
            new Covered(README, 9, "<dependency>", "readme_gpuSnippet_swapsOnnxRuntimeForItsGpuBuild"),
            new Covered(README, 10, "final class MyHttpLlm implements ModelMember",
                    "readme_javaBlocks_equalTheirCompiledCopies"),
            new Covered(CONFIG, 0, "java -jar el4ner.jar recognize --config FILE [--text TEXT",
                    "configMd_recognizeSynopsis_runsInEveryVariant"),
            new Covered(CONFIG, 1, "java -cp el4ner.jar:my-member.jar io.el4ner.cli.Main",
                    "configMd_customProviderCommand_runs"),
            new Covered(CONFIG, 2, "{", "configMd_inProcessExample_loadsAndBuilds"),
            new Covered(CONFIG, 3, "{", "configMd_fullExample_loadsAndBuilds"),
            new Covered(CONFIG, 4, "{", "configMd_minimalConfiguration_loads"),
            new Covered(CONFIG, 5, "{\"text\": \"Angela Merkel visited Paris.\"",
                    "configMd_demonstrationObject_isAValidPoolEntryAndFileLine"),
            new Covered(CONFIG, 6, "{\"entities\":[{\"start\":0", "configMd_outputExample_hasTheShapeOfARealResult"),
            new Covered(CONFIG, 7, "error: config.json: unknown field 'memebers'",
                    "configMd_configurationErrorExamples_areWhatTheCliPrints"),
            new Covered(CONFIG, 8, "error: config.json: member #1 (openai-compatible): unknown parameter",
                    "configMd_configurationErrorExamples_areWhatTheCliPrints"),
            new Covered(CONFIG, 9, "error: out holds a run made with other inputs",
                    "configMd_changedRunExample_isWhatEvaluatePrints"),
            new Covered(CONFIG, 10, "{\"sentences\":200,\"recognized\":148",
                    "configMd_evaluateSummaryExample_hasTheShapeOfARealOne"),
            new Covered(CONFIG, 11, "sentence data/esp.testb#2 failed",
                    "configMd_failedSentencesExamples_areWhatEvaluatePrints"),
            new Covered(CONFIG, 12, "6 of 7 sentences failed",
                    "configMd_failedSentencesExamples_areWhatEvaluatePrints"));

    @TempDir
    Path dir;

    // --- coverage -------------------------------------------------------------------------------------------------

    @Test
    void docs_everyFencedBlock_isCoveredByATest() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Block> all = new ArrayList<>(blocks(README));
        all.addAll(blocks(CONFIG));
        for (Block b : all) {
            List<Covered> entries = COVERED.stream()
                    .filter(c -> c.file().equals(b.file()) && c.index() == b.index()).toList();
            if (entries.isEmpty()) {
                problems.add(b + " is run by no test: check it in a test of DocExamplesTest and add it to COVERED");
                continue;
            }
            Covered c = entries.get(0);
            if (!b.firstLine().startsWith(c.firstLine())) {
                problems.add(b + " is not the block COVERED lists at that position (its first line starts \""
                        + c.firstLine() + "\"): a block was added, moved or changed; update COVERED");
            }
            if (!isTest(c.test())) {
                problems.add("COVERED names " + c.test() + " for " + b + ", which is no @Test of DocExamplesTest");
            }
        }
        for (Covered c : COVERED) {
            if (all.stream().noneMatch(b -> b.file().equals(c.file()) && b.index() == c.index())) {
                problems.add("COVERED lists block " + c.index() + " of " + c.file() + ", which has no such block");
            }
        }
        assertThat(problems).isEmpty();
    }

    private static boolean isTest(String name) {
        for (Method m : DocExamplesTest.class.getDeclaredMethods()) {
            if (m.getName().equals(name) && m.isAnnotationPresent(Test.class)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void blocks_markdown_foundAsGitHubShowsThem() throws IOException {
        Path md = dir.resolve("x.md");
        Files.writeString(md, "text\n```java\nint a;\n\nint b;\n```\nmore ```inline``` text\n```\n$ x\n```\n");
        List<Block> found = blocks(md, "x.md");
        assertThat(found).extracting(Block::lang).containsExactly("java", "");
        assertThat(found.get(0).text()).isEqualTo("int a;\n\nint b;\n");
        assertThat(found.get(1).line()).isEqualTo(8);
    }

    // --- Java -----------------------------------------------------------------------------------------------------

    /**
     * The README's Java blocks are the text between the {@code README: begin/end ID} markers of test sources that
     * compile and run them (in the module whose classes they need), each marked part dedented and the parts
     * separated by a blank line.
     */
    @Test
    void readme_javaBlocks_equalTheirCompiledCopies() throws IOException {
        assertThat(block(README, 0).text())
                .isEqualTo(marked("el4ner-core/src/test/java/io/el4ner/core/ReadmeExampleTest.java",
                        "readme-example"));
        assertThat(block(README, 7).text())
                .isEqualTo(marked("el4ner-cli/src/test/java/io/el4ner/cli/ReadmeSpanSimExampleTest.java", "span-sim"));
        assertThat(block(README, 8).text())
                .isEqualTo(marked("el4ner-onnx/src/test/java/io/el4ner/onnx/ReadmeInProcessExampleTest.java",
                        "in-process"));
        assertThat(block(README, 10).text())
                .isEqualTo(marked("el4ner-tck/src/test/java/io/el4ner/tck/MyHttpLlmProvider.java",
                        "plugin-exceptions"));
    }

    private static String marked(String source, String id) throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve(source), StandardCharsets.UTF_8);
        List<String> parts = new ArrayList<>();
        List<String> part = null;
        for (String line : lines) {
            String t = line.strip();
            if (t.equals("// README: begin " + id)) {
                part = new ArrayList<>();
            } else if (t.equals("// README: end " + id)) {
                assertThat(part).as("'README: end %s' without a begin in %s", id, source).isNotNull();
                parts.add(dedent(part));
                part = null;
            } else if (part != null) {
                part.add(line);
            }
        }
        assertThat(parts).as("parts marked '%s' in %s", id, source).isNotEmpty();
        return String.join("\n", parts);
    }

    private static String dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l.isBlank() ? "" : l.substring(indent).stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    // --- command lines --------------------------------------------------------------------------------------------

    /**
     * The quick start: both Maven commands are valid, and the el4ner command, run as written (no configuration: the
     * default ensemble) against a loopback Hub serving fixture copies under the default repository ids with an
     * empty cache, exits 0 with a JSON result; then again offline from that cache; and offline with an empty cache
     * it exits 1 with one message that says what to download and how.
     */
    @Test
    void readme_quickStartCommands_run() throws IOException {
        List<List<String>> commands = DocCommandLines.commands(block(README, 1).text());
        assertThat(commands).hasSize(3);
        DocCommandLines.checkMaven(commands.get(0));
        DocCommandLines.checkMaven(commands.get(2));
        List<String> el4ner = DocCommandLines.el4nerArgs(commands.get(1));
        DocCommandLines.parse(el4ner);
        assertThat(el4ner).doesNotContain("--config", "-c");
        String[] args = el4ner.toArray(String[]::new);

        Path cache = dir.resolve("hf-cache");
        try (LoopbackHub hub = LoopbackHub.serving(DefaultHubFixture.layout(DefaultHubFixture.DECODERS,
                Files.createDirectories(dir.resolve("hub"))))) {
            Map<String, String> env = new HashMap<>(Map.of("HF_ENDPOINT", hub.endpoint().toString(),
                    "HF_HUB_CACHE", cache.toString(), "HF_HOME", dir.resolve("hf-home").toString()));
            ModelsCommandTest.Run online = ModelsCommandTest.run(env, args);
            assertThat(online.exit()).as(online.err()).isZero();
            assertThat(JSON.readTree(online.out()).has("entities")).isTrue();

            env.put("HF_HUB_OFFLINE", "1");
            ModelsCommandTest.Run offline = ModelsCommandTest.run(env, args);
            assertThat(offline.exit()).as(offline.err()).isZero();
            assertThat(JSON.readTree(offline.out()).has("entities")).isTrue();

            env.put("HF_HUB_CACHE", dir.resolve("empty-cache").toString());
            ModelsCommandTest.Run none = ModelsCommandTest.run(env, args);
            assertThat(none.exit()).isEqualTo(1);
            assertThat(none.err().strip().lines()).hasSize(1);
            assertThat(none.err()).contains("el4ner models --download", "--config");
        }
    }

    /** The second example, run as written with no model server, stops with exit 1 naming each URL it could not reach. */
    @Test
    void readme_serverExample_stopsNamingTheUrls() throws IOException {
        List<List<String>> commands = DocCommandLines.commands(block(README, 2).text());
        assertThat(commands).hasSize(1);
        List<String> el4ner = DocCommandLines.el4nerArgs(commands.get(0));
        DocCommandLines.parse(el4ner);

        Path config = ROOT.resolve(el4ner.get(el4ner.indexOf("--config") + 1));
        List<String> urls = new ArrayList<>();
        JSON.readTree(config.toFile()).path("members")
                .forEach(m -> urls.add(m.path("parameters").path("baseUrl").asText()));
        assertThat(urls).hasSize(2).allMatch(u -> u.startsWith("http://localhost:"));
        Path runnable = withFreePorts(config, urls);
        List<String> args = new ArrayList<>(el4ner);
        args.set(args.indexOf("--config") + 1, runnable.toString());

        MainTest.Run r = MainTest.run(args.toArray(String[]::new));

        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        for (String url : urls(runnable)) {
            assertThat(r.err()).contains("cannot connect to " + url + "/chat/completions");
        }
    }

    /** The example's configuration as it is when nothing listens on its ports, else a copy using free ones. */
    private Path withFreePorts(Path config, List<String> urls) throws IOException {
        String text = Files.readString(config, StandardCharsets.UTF_8);
        boolean changed = false;
        for (String url : urls) {
            int port = URI.create(url).getPort();
            if (!free(port)) { // something listens there: the README assumes nothing does
                changed = true;
                text = text.replace(url, url.replace(":" + port + "/", ":" + freePort() + "/"));
            }
        }
        if (!changed) {
            return config;
        }
        Path copy = dir.resolve("el4ner.json");
        Files.writeString(copy, text, StandardCharsets.UTF_8);
        return copy;
    }

    private static List<String> urls(Path config) throws IOException {
        List<String> urls = new ArrayList<>();
        JSON.readTree(config.toFile()).path("members")
                .forEach(m -> urls.add(m.path("parameters").path("baseUrl").asText()));
        return urls;
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.isBound();
        } catch (IOException busy) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The README's one-line {@code recognize} command, run with a scripted member for FILE. */
    @Test
    void readme_recognizeSynopsis_runs() throws IOException {
        List<List<String>> commands = DocCommandLines.commands(block(README, 3).text());
        assertThat(commands).hasSize(1);
        List<String> args = DocCommandLines.el4nerArgs(commands.get(0));
        DocCommandLines.parse(args);
        MainTest.Run r = MainTest.run(DocCommandLines.substitute(args, Map.of("--config FILE", aliceConfig().toString(),
                "--text …", "Alice flew to Paris.")).toArray(String[]::new));
        MainTest.assertAliceResult(r, "Alice flew to Paris.");
    }

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
            MainTest.Run r = MainTest.runWithStdin(text, run.toArray(String[]::new));
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
        MainTest.Run r = MainTest.run(DocCommandLines.substitute(args, Map.of("--config config.json", aliceConfig().toString(),
                "--text ...", "Alice flew to Paris.")).toArray(String[]::new));
        MainTest.assertAliceResult(r, "Alice flew to Paris.");
    }

    /**
     * "Measuring a configuration": every variant of the three synopses parses; every variant of {@code inspect}
     * and {@code score} runs on a small file in the scheme it names, and {@code evaluate} runs with the fewest and
     * with all of its options, in each scheme.
     */
    @Test
    void readme_measuringSynopses_run() throws IOException {
        List<String> lines = DocCommandLines.logicalLines(block(README, 5).text());
        assertThat(lines).hasSize(3);
        Map<String, Path> files = new LinkedHashMap<>();
        for (String scheme : List.of("iob1", "iob2", "bioes")) {
            Path f = dir.resolve(scheme + ".txt");
            Files.writeString(f, CONLLEVAL.get(scheme), StandardCharsets.UTF_8);
            files.put(scheme, f);
        }

        List<List<String>> inspect = DocCommandLines.synopsisVariants(lines.get(0));
        assertThat(inspect).hasSize(4);
        for (List<String> variant : inspect) {
            List<String> args = DocCommandLines.el4nerArgs(variant);
            DocCommandLines.parse(args);
            MainTest.Run r = MainTest.run(DocCommandLines.substitute(args, Map.of("FILE", files.get(scheme(args)).toString()))
                    .toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", args, r.err()).isZero();
            assertThat(MainTest.fieldNames(r.json())).containsExactly("sentences", "tokens", "entities", "types");
            assertThat(r.json().path("entities").asInt()).as("%s", args).isEqualTo(3);
        }

        List<List<String>> score = DocCommandLines.synopsisVariants(lines.get(1));
        assertThat(score).hasSize(6);
        for (List<String> variant : score) {
            List<String> args = DocCommandLines.el4nerArgs(variant);
            DocCommandLines.parse(args);
            MainTest.Run r = MainTest.run(DocCommandLines.substitute(args, Map.of("FILE", files.get(scheme(args)).toString()))
                    .toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", args, r.err()).isZero();
            assertThat(MainTest.fieldNames(r.json().path("micro")))
                    .containsExactly("tp", "fp", "fn", "precision", "recall", "f1");
            assertThat(r.json().path("types").has("PER")).isTrue();
            assertThat(r.json().path("micro").path("f1").asDouble()).as("%s", args).isEqualTo(1.0);
        }

        List<List<String>> evaluate = DocCommandLines.synopsisVariants(lines.get(2));
        assertThat(evaluate).hasSize(2 * 2 * 4 * 2 * 2 * 2);
        List<List<String>> run = new ArrayList<>();
        int fewest = evaluate.stream().mapToInt(List::size).min().orElseThrow();
        int most = evaluate.stream().mapToInt(List::size).max().orElseThrow();
        for (List<String> variant : evaluate) {
            DocCommandLines.parse(DocCommandLines.el4nerArgs(variant));
            if (variant.size() == fewest || variant.size() == most) {
                run.add(variant);
            }
        }
        assertThat(run).hasSize(4);
        int n = 0;
        for (List<String> variant : run) {
            List<String> args = DocCommandLines.el4nerArgs(variant);
            String scheme = scheme(args);
            Path gold = write("gold-" + scheme + ".conll", CONLLEVAL.get(scheme).replaceAll(" \\S+\n", "\n"));
            Path gold2 = write("gold2-" + scheme + ".conll", Files.readString(gold));
            Path config = dir.resolve("simulated-" + scheme + ".json");
            Files.writeString(config, simulatedConfig(gold.getFileName().toString(), scheme, 0));
            Path out = dir.resolve("out-" + n++);
            MainTest.Run r = MainTest.run(DocCommandLines.substitute(args, Map.of("--config FILE", config.toString(),
                    "--data GOLD", gold.toString(), "--data GOLD2", gold2.toString(), "--out DIR", out.toString(),
                    "--sample N", "2", "--seed S", "3", "--parallel P", "2")).toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", args, r.err()).isZero();
            assertThat(r.json().path("f1").asDouble()).as("%s", args).isEqualTo(1.0);
            assertThat(out.resolve("report.html")).isNotEmptyFile();
        }
    }

    /** Three sentences, three entities, predicted right: "token gold predicted" lines in each scheme. */
    private static final Map<String, String> CONLLEVAL = Map.of(
            "iob1", "Alice I-PER I-PER\nmet O O\nBob I-PER I-PER\nSmith I-PER I-PER\n\nIn O O\nParis I-LOC I-LOC\n",
            "iob2", "Alice B-PER B-PER\nmet O O\nBob B-PER B-PER\nSmith I-PER I-PER\n\nIn O O\nParis B-LOC B-LOC\n",
            "bioes", "Alice S-PER S-PER\nmet O O\nBob B-PER B-PER\nSmith E-PER E-PER\n\nIn O O\nParis S-LOC S-LOC\n");

    private static String scheme(List<String> args) {
        int i = args.indexOf("--scheme");
        return i < 0 ? "iob2" : args.get(i + 1);
    }

    private static String simulatedConfig(String gold, String scheme, double missRate) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        var types = c.putArray("entityTypes");
        for (String t : List.of("PER", "LOC")) {
            types.addObject().put("name", t).put("description", t);
        }
        c.putArray("members").addObject().put("provider", "simulated").put("name", "sim")
                .putObject("parameters").put("gold", gold).put("scheme", scheme).put("missRate", missRate);
        return JSON.writeValueAsString(c);
    }

    // --- configurations -------------------------------------------------------------------------------------------

    /** The README's configuration is examples/el4ner.json, which the CLI loads and builds (no call is made). */
    @Test
    void readme_configuration_isTheExampleFileAndBuilds() throws IOException {
        Path example = ROOT.resolve("examples/el4ner.json");
        assertThat(block(README, 4).text()).isEqualTo(Files.readString(example, StandardCharsets.UTF_8));
        CliConfig config = ConfigLoader.load(example);
        assertThat(config.members()).hasSize(2);
        assertThat(config.pool()).hasSize(2);
        assertBuilds(config, example);
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
        Map<String, Object> c = MainTest.config(MainTest.aliceMember("m1"));
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

    private static void assertBuilds(CliConfig config, Path file) {
        StringWriter messages = new StringWriter();
        RecognizeCommand.Built built = RecognizeCommand.build(config, file, new PrintWriter(messages, true));
        assertThat(built.ner()).as("the ensemble of %s: %s", file, messages).isNotNull();
        try (EnsembleNer ner = built.ner()) {
            assertThat(ner.memberNames()).hasSize(config.members().size());
        }
    }

    // --- output ---------------------------------------------------------------------------------------------------

    /** The output example has the fields, in the order and of the JSON types, of a real degraded result. */
    @Test
    void configMd_outputExample_hasTheShapeOfARealResult() throws IOException {
        JsonNode doc = JSON.readTree(block(CONFIG, 6).text());
        Path config = write("config.json", JSON.writeValueAsString(MainTest.config(MainTest.aliceMember("qwen"),
                MainTest.failingMember("llama", "connection refused"))));
        MainTest.Run r = MainTest.run("recognize", "--config", config.toString(), "--text", "Alice flew to Paris.");
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
        MainTest.Run r = MainTest.run("evaluate", "--config", config.toString(), "--data", gold.toString(), "--out",
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
        MainTest.Run fileProblems = MainTest.run("recognize", "--config", file.toString(), "--text", "x");
        assertThat(fileProblems.exit()).isEqualTo(2);
        assertPrints(fileProblems.err(), block(CONFIG, 7).text());

        c.put("members", c.remove("memebers"));
        c.put("timeoutSeconds", 120);
        c.put("aggregator", Map.of("weights", Map.of("qwen", 1.0, "lama", 0.8)));
        c.put("validation", Map.of("mode", "single", "verifier", "qwn"));
        write("config.json", JSON.writeValueAsString(c));
        MainTest.Run assembly = MainTest.run("recognize", "--config", file.toString(), "--text", "x");
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
        MainTest.Run first = MainTest.run("evaluate", "--config", config.toString(), "--data", gold.toString(),
                "--out", out, "--seed", "1");
        assertThat(first.exit()).as(first.err()).isZero();
        write("sim.json", simulatedConfig(gold.getFileName().toString(), "iob2", 0.9));
        MainTest.Run changed = MainTest.run("evaluate", "--config", config.toString(), "--data", gold.toString(),
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
        MainTest.Run r = MainTest.run("evaluate", "--config", config.toString(), "--data", data.toString(), "--out",
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
            assertThat(MainTest.fieldNames(real)).as("fields at %s", path).isEqualTo(MainTest.fieldNames(doc));
            for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertSameShape(doc.get(f), real.get(f), path + "." + f);
            }
        } else if (doc.isArray() && !doc.isEmpty()) {
            assertThat(real).as("array at %s", path).isNotEmpty();
            assertSameShape(doc.get(0), real.get(0), path + "[0]");
        }
    }

    // --- Maven --------------------------------------------------------------------------------------------------

    /** The BOM import and the dependency use the POMs' real group, artifacts and version. */
    @Test
    void readme_mavenSnippet_usesTheRealCoordinates() throws Exception {
        Document snippet = xml("<snippet>" + block(README, 6).text() + "</snippet>");
        Document root = xml(Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8));
        Document bom = xml(Files.readString(ROOT.resolve("el4ner-bom/pom.xml"), StandardCharsets.UTF_8));
        String group = child(root.getDocumentElement(), "groupId");
        String version = child(root.getDocumentElement(), "version");
        List<String> managed = new ArrayList<>();
        NodeList bomDeps = bom.getElementsByTagName("dependency");
        for (int i = 0; i < bomDeps.getLength(); i++) {
            Element d = (Element) bomDeps.item(i);
            assertThat(child(d, "groupId")).isEqualTo(group);
            managed.add(child(d, "artifactId"));
        }
        assertThat(child(bom.getDocumentElement(), "artifactId")).isEqualTo("el4ner-bom");

        NodeList deps = snippet.getElementsByTagName("dependency");
        assertThat(deps.getLength()).isEqualTo(2);
        Element imported = (Element) deps.item(0);
        assertThat(child(imported, "groupId")).isEqualTo(group);
        assertThat(child(imported, "artifactId")).isEqualTo("el4ner-bom");
        assertThat(child(imported, "version")).isEqualTo(version);
        assertThat(child(imported, "type")).isEqualTo("pom");
        assertThat(child(imported, "scope")).isEqualTo("import");
        Element core = (Element) deps.item(1);
        assertThat(child(core, "groupId")).isEqualTo(group);
        assertThat(managed).contains(child(core, "artifactId"));
        assertThat(core.getElementsByTagName("version").getLength()).as("the BOM gives the version").isZero();
    }

    /**
     * The GPU snippet excludes the CPU runtime that el4ner-onnx really depends on and adds the GPU runtime of the
     * same version as the build's.
     */
    @Test
    void readme_gpuSnippet_swapsOnnxRuntimeForItsGpuBuild() throws Exception {
        Document snippet = xml("<snippet>" + block(README, 9).text() + "</snippet>");
        Document root = xml(Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8));
        Document onnx = xml(Files.readString(ROOT.resolve("el4ner-onnx/pom.xml"), StandardCharsets.UTF_8));
        String ortVersion = root.getElementsByTagName("onnxruntime.version").item(0).getTextContent().strip();
        String ortGroup = "com.microsoft.onnxruntime";

        Element module = (Element) snippet.getDocumentElement().getElementsByTagName("dependency").item(0);
        assertThat(child(module, "groupId")).isEqualTo(child(root.getDocumentElement(), "groupId"));
        assertThat(child(module, "artifactId")).isEqualTo(child(onnx.getDocumentElement(), "artifactId"));
        Element exclusion = (Element) module.getElementsByTagName("exclusion").item(0);
        assertThat(child(exclusion, "groupId")).isEqualTo(ortGroup);
        String excluded = child(exclusion, "artifactId");
        assertThat(onnx.getElementsByTagName("artifactId")).satisfies(list -> {
            boolean found = false;
            for (int i = 0; i < list.getLength(); i++) {
                String a = list.item(i).getTextContent().strip();
                found |= a.equals(excluded) || a.equals("${onnxruntime.artifact}");
            }
            assertThat(found).as("el4ner-onnx depends on %s", excluded).isTrue();
        });
        assertThat(root.getElementsByTagName("onnxruntime.artifact").item(0).getTextContent().strip())
                .as("the default runtime artifact").isEqualTo(excluded);

        Element gpu = (Element) snippet.getDocumentElement().getElementsByTagName("dependency").item(1);
        assertThat(child(gpu, "groupId")).isEqualTo(ortGroup);
        assertThat(child(gpu, "artifactId")).isEqualTo("onnxruntime_gpu");
        assertThat(child(gpu, "version")).isEqualTo(ortVersion);
    }

    private static Document xml(String text) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The text of an element's direct child, or null. */
    private static String child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c.getTextContent().strip();
            }
        }
        return null;
    }

    // --- helpers: blocks --------------------------------------------------------------------------------------------

    static List<Block> blocks(String file) throws IOException {
        return blocks(ROOT.resolve(file), file);
    }

    /** Fenced blocks: a line starting with three backticks opens one, the next such line closes it. */
    static List<Block> blocks(Path path, String file) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("```")) {
                continue;
            }
            int open = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                text.append(lines.get(i)).append('\n');
            }
            assertThat(i).as("the block opened at line %d of %s is closed", open + 1, file).isLessThan(lines.size());
            out.add(new Block(file, out.size(), open + 1, lines.get(open).substring(3).strip(), text.toString()));
        }
        return out;
    }

    private static Block block(String file, int index) throws IOException {
        List<Block> all = blocks(file);
        assertThat(index).as("%s has a block %d", file, index).isLessThan(all.size());
        Block b = all.get(index);
        Covered c = COVERED.stream().filter(x -> x.file().equals(file) && x.index() == index).findFirst()
                .orElseThrow();
        assertThat(b.firstLine()).as("%s (see docs_everyFencedBlock_isCoveredByATest)", b).startsWith(c.firstLine());
        return b;
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private Path aliceConfig() throws IOException {
        return write("alice.json", JSON.writeValueAsString(MainTest.config(MainTest.aliceMember("m1"))));
    }
}
