package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.hub.testing.LoopbackHub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * README.md's examples: its Java blocks are the compiled and tested copies, its command lines parse with the real
 * command model and, where no model server is needed, run; its configuration and Maven snippets are the real ones.
 * {@link DocExamplesTest} checks that every block is covered.
 */
class ReadmeDocExamplesTest extends DocExampleFixtures {
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

        MainFixtures.Run r = MainFixtures.run(args.toArray(String[]::new));

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
        MainFixtures.Run r = MainFixtures.run(DocCommandLines.substitute(args, Map.of("--config FILE", aliceConfig().toString(),
                "--text …", "Alice flew to Paris.")).toArray(String[]::new));
        MainFixtures.assertAliceResult(r, "Alice flew to Paris.");
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
            MainFixtures.Run r = MainFixtures.run(DocCommandLines.substitute(args, Map.of("FILE", files.get(scheme(args)).toString()))
                    .toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", args, r.err()).isZero();
            assertThat(MainFixtures.fieldNames(r.json())).containsExactly("sentences", "tokens", "entities", "types");
            assertThat(r.json().path("entities").asInt()).as("%s", args).isEqualTo(3);
        }

        List<List<String>> score = DocCommandLines.synopsisVariants(lines.get(1));
        assertThat(score).hasSize(6);
        for (List<String> variant : score) {
            List<String> args = DocCommandLines.el4nerArgs(variant);
            DocCommandLines.parse(args);
            MainFixtures.Run r = MainFixtures.run(DocCommandLines.substitute(args, Map.of("FILE", files.get(scheme(args)).toString()))
                    .toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", args, r.err()).isZero();
            assertThat(MainFixtures.fieldNames(r.json().path("micro")))
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
            MainFixtures.Run r = MainFixtures.run(DocCommandLines.substitute(args, Map.of("--config FILE", config.toString(),
                    "--data GOLD", gold.toString(), "--data GOLD2", gold2.toString(), "--out DIR", out.toString(),
                    "--sample N", "2", "--seed S", "3", "--parallel P", "2")).toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", args, r.err()).isZero();
            assertThat(r.json().path("f1").asDouble()).as("%s", args).isEqualTo(1.0);
            assertThat(out.resolve("report.html")).isNotEmptyFile();
        }
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
}
