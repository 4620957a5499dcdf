package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every command's help reads well in an 80-column terminal, and the configuration reference ships in the jar.
 */
class HelpTest {
    /** Every command, as its help is asked for: top level first. */
    static Stream<String> commands() {
        return Stream.of("", "recognize", "inspect", "score", "evaluate", "models", "help");
    }

    private static CommandLine commandLine() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
        PrintWriter pw = new PrintWriter(new StringWriter());
        return Main.commandLine(new ByteArrayInputStream(new byte[0]), ps, ps, pw, pw);
    }

    private static CommandLine command(CommandLine root, String name) {
        return name.isEmpty() ? root : root.getSubcommands().get(name);
    }

    /** The help as {@code el4ner [COMMAND] --help} prints it. */
    private static String help(String name) {
        List<String> args = new ArrayList<>();
        if (!name.isEmpty()) {
            args.add(name);
        }
        args.add("--help");
        MainFixtures.Run r = MainFixtures.run(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    /** The same help in a terminal wide enough that nothing wraps. */
    private static String unwrapped(String name) {
        CommandLine root = commandLine();
        root.setUsageHelpWidth(10_000);
        return command(root, name).getUsageMessage();
    }

    @ParameterizedTest(name = "el4ner {0} --help")
    @MethodSource("commands")
    void help_fitsIn80Columns(String name) {
        assertThat(help(name).lines())
                .allSatisfy(line -> assertThat(line.length()).as("length of: %s", line)
                        .isLessThanOrEqualTo(Main.HELP_WIDTH));
    }

    /** Wrapping only breaks lines between words: the words are those of the help printed with no width limit. */
    @ParameterizedTest(name = "el4ner {0} --help")
    @MethodSource("commands")
    void help_splitsNoWord(String name) {
        List<String> wrapped = Arrays.asList(help(name).strip().split("\\s+"));
        List<String> whole = Arrays.asList(unwrapped(name).strip().split("\\s+"));
        for (int i = 0; i < Math.min(wrapped.size(), whole.size()); i++) {
            assertThat(wrapped.get(i)).as("word %d, after: %s", i,
                    String.join(" ", whole.subList(Math.max(0, i - 8), i))).isEqualTo(whole.get(i));
        }
        assertThat(wrapped).hasSameSizeAs(whole);
        assertThat(unwrapped(name).lines().anyMatch(l -> l.length() > Main.HELP_WIDTH))
                .as("the reference rendering is wider than 80 columns, so the 80-column one does wrap")
                .isTrue();
    }

    /**
     * A line of the help's source text that is too long for its column is wrapped, so it must be a whole paragraph
     * (ending a sentence): a sentence broken by hand over two lines comes out ragged once one of them wraps. Lines
     * laid out by hand (indented, like a JSON example) must fit as they are.
     */
    @ParameterizedTest(name = "el4ner {0} --help")
    @MethodSource("commands")
    void help_wrapsOnlyWholeParagraphs(String name) {
        CommandSpec spec = command(commandLine(), name).getCommandSpec();
        String rendered = help(name);
        List<String[]> texts = new ArrayList<>();
        texts.add(spec.usageMessage().header());
        texts.add(spec.usageMessage().description());
        texts.add(spec.usageMessage().footer());
        for (String[] lines : texts) {
            check(lines, Main.HELP_WIDTH);
        }
        List<ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        for (ArgSpec arg : args) {
            String[] lines = arg.description();
            if (lines.length == 0) {
                continue;
            }
            String first = text(lines[0].replace("${DEFAULT-VALUE}", String.valueOf(arg.defaultValue())));
            String head = first.substring(0, Math.min(12, first.length()));
            int column = rendered.lines().filter(l -> l.contains(head)).mapToInt(l -> l.indexOf(head)).findFirst()
                    .orElseThrow(() -> new AssertionError("the help does not show: " + head));
            check(lines, Main.HELP_WIDTH - column);
        }
    }

    /** The help's source text as printed: picocli formats it, and these are the only specifiers it uses. */
    private static String text(String source) {
        return source.replace("%%", "%").replace("%n", "\n");
    }

    private static void check(String[] lines, int width) {
        for (String raw : lines) {
            String line = text(raw.replaceAll("\\$\\{[A-Z-]+}", "x"));
            if (line.length() <= width) {
                continue;
            }
            assertThat(line).as("a line laid out by hand (indented) is wrapped at %d columns", width)
                    .doesNotStartWith(" ");
            assertThat(line).as("a line wrapped at %d columns does not end a sentence, so the next one starts a "
                    + "ragged line; make the sentence one line of the source", width).matches("(?s).*[.:?!)]$");
        }
    }

    @Test
    void help_footers_giveTheReferenceAndItsUrl() {
        for (String name : commands().filter(n -> !n.equals("inspect") && !n.equals("score") && !n.equals("models")).toList()) {
            assertThat(help(name)).as("el4ner %s --help", name).contains("'el4ner help config'")
                    .contains("https://github.com/el4ner/el4ner/blob/main/el4ner-cli/CONFIG.md");
        }
    }

    @Test
    void help_referenceUrl_isTheRepositorysFile() throws IOException {
        String pom = Files.readString(Path.of("..", "pom.xml"), StandardCharsets.UTF_8);
        String scm = pom.substring(pom.indexOf("<scm"), pom.indexOf("</scm>"));
        String url = scm.replaceAll("(?s).*<url>([^<]+)</url>.*", "$1");
        assertThat(Main.CONFIG_REFERENCE_URL).isEqualTo(url + "/blob/main/el4ner-cli/CONFIG.md");
        assertThat(Path.of("CONFIG.md")).exists();
    }

    // --- el4ner help ----------------------------------------------------------------------------------------------

    @Test
    void helpConfig_printsTheRepositorysConfigMd() throws IOException {
        String repository = Files.readString(Path.of("CONFIG.md"), StandardCharsets.UTF_8);
        assertThat(HelpCommand.reference()).as("CONFIG.md on the class path, as in the jar").isEqualTo(repository);

        MainFixtures.Run r = MainFixtures.run("help", "config");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(repository);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void helpCommand_printsThatCommandsHelp() {
        for (String name : List.of("recognize", "inspect", "score", "evaluate", "models", "help")) {
            MainFixtures.Run r = MainFixtures.run("help", name);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo(help(name));
        }
        MainFixtures.Run top = MainFixtures.run("help");
        assertThat(top.exit()).isZero();
        assertThat(top.out()).isEqualTo(help(""));
    }

    @Test
    void helpUnknownTopic_exitsTwoAndListsTheTopics() {
        MainFixtures.Run r = MainFixtures.run("help", "confg");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("error: no help topic 'confg' (did you mean 'config'?); topics: recognize, "
                + "inspect, score, evaluate, models, config" + System.lineSeparator());
    }

    @Test
    void help_topLevel_listsTheHelpCommand() {
        Map<String, CommandLine> subcommands = commandLine().getSubcommands();
        assertThat(subcommands).containsKey("help");
        assertThat(help("")).contains("help       Show the help of a command, or the configuration reference.");
    }
}
