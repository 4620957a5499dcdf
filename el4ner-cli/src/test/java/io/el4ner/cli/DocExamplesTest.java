package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every example in README.md and el4ner-cli/CONFIG.md is run by a test: configurations are loaded and built,
 * fragments are checked against what they illustrate, command lines are parsed with the real command model and,
 * where no model server is needed, run; Java blocks are compared with the compiled and tested copies in the test
 * sources; sample output is compared with what the CLI prints. The tests of README.md are in {@link ReadmeDocExamplesTest},
 * those of CONFIG.md in {@link ConfigMdDocExamplesTest}.
 *
 * <p>{@link #COVERED} lists every fenced block of the two files by position, with the start of its first line and
 * the test of {@link #DOC_TESTS} that checks it. A new, moved or removed block fails
 * {@link #docs_everyFencedBlock_isCoveredByATest()} until the list says which test covers it.
 */
class DocExamplesTest extends DocExampleFixtures {
    /** The classes whose tests check the documents' blocks. */
    static final List<Class<?>> DOC_TESTS = List.of(DocExamplesTest.class, ReadmeDocExamplesTest.class,
            ConfigMdDocExamplesTest.class);

    /**
     * @param file the Markdown file, from the repository's root
     * @param index the block's position among the file's fenced blocks, from 0
     * @param firstLine how the block's first line starts
     * @param test the test method of one of {@link #DOC_TESTS} that checks it
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
                problems.add(b + " is run by no test: check it in a test of DOC_TESTS and add it to COVERED");
                continue;
            }
            Covered c = entries.get(0);
            if (!b.firstLine().startsWith(c.firstLine())) {
                problems.add(b + " is not the block COVERED lists at that position (its first line starts \""
                        + c.firstLine() + "\"): a block was added, moved or changed; update COVERED");
            }
            if (!isTest(c.test())) {
                problems.add("COVERED names " + c.test() + " for " + b + ", which is no @Test of DOC_TESTS");
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
        for (Class<?> c : DOC_TESTS) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.isAnnotationPresent(Test.class)) {
                    return true;
                }
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
}
