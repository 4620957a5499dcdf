package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command lines of the documents' examples, for {@link DocExamplesTest}: a block's logical lines, shell words,
 * the variants of a synopsis, and checks that a documented {@code java -jar el4ner.jar ...} or {@code ./mvnw ...}
 * is one the CLI or the build accepts (parsed with the real command model).
 */
final class DocCommandLines {
    /** The repository: tests run in el4ner-cli. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** A placeholder in a synopsis: FILE, N, GOLD2, or an elided text. */
    private static final Pattern PLACEHOLDER = Pattern.compile("[A-Z][A-Z0-9]*|…|\\.\\.\\.");

    private DocCommandLines() {
    }

    /**
     * A block's lines, a line that ends with a backslash or one that is indented continuing the one before;
     * {@code #} comments removed.
     */
    static List<String> logicalLines(String block) {
        List<String> out = new ArrayList<>();
        boolean continued = false;
        for (String line : block.lines().toList()) {
            if (line.isBlank()) {
                continued = false;
                continue;
            }
            boolean next = line.stripTrailing().endsWith("\\");
            String text = next ? line.stripTrailing().substring(0, line.stripTrailing().length() - 1) : line;
            if ((continued || Character.isWhitespace(line.charAt(0))) && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + " " + text.strip());
            } else {
                out.add(text.strip());
            }
            continued = next;
        }
        return out;
    }

    /** Shell words: whitespace separates, quotes group (and are removed), an unquoted # starts a comment. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    w.append(ch);
                }
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
                w = w == null ? new StringBuilder() : w;
            } else if (Character.isWhitespace(ch)) {
                if (w != null) {
                    out.add(w.toString());
                    w = null;
                }
            } else if (ch == '#' && w == null) {
                break;
            } else {
                w = w == null ? new StringBuilder() : w;
                w.append(ch);
            }
        }
        assertThat(quote == 0).as("unclosed quote in: %s", line).isTrue();
        if (w != null) {
            out.add(w.toString());
        }
        return out;
    }

    /** The commands of a block of literal command lines: each line, split at {@code &&}. */
    static List<List<String>> commands(String block) {
        List<List<String>> out = new ArrayList<>();
        for (String line : logicalLines(block)) {
            List<String> cmd = new ArrayList<>();
            for (String w : words(line)) {
                if (w.equals("&&")) {
                    out.add(cmd);
                    cmd = new ArrayList<>();
                } else {
                    cmd.add(w);
                }
            }
            out.add(cmd);
        }
        return out;
    }

    /**
     * Every command line a synopsis stands for: {@code [x]} is optional, {@code a | b} inside brackets and
     * {@code a|b|c} in a word are alternatives, {@code --[no-]x} is {@code --x} or {@code --no-x}, and {@code …}
     * (more of the same) is left out.
     */
    static List<List<String>> synopsisVariants(String synopsis) {
        List<String> lines = logicalLines(synopsis);
        assertThat(lines).as("one synopsis in: %s", synopsis).hasSize(1);
        List<String> tokens = new ArrayList<>();
        for (String w : words(lines.get(0))) {
            int open = 0;
            while (w.startsWith("[") && !w.startsWith("[no-]")) {
                tokens.add("[");
                w = w.substring(1);
                open++;
            }
            int closing = 0;
            while (w.endsWith("]") && count(w, ']') > count(w, '[')) {
                w = w.substring(0, w.length() - 1);
                closing++;
            }
            if (!w.isEmpty()) {
                tokens.add(w);
            }
            for (int i = 0; i < closing; i++) {
                tokens.add("]");
            }
        }
        int[] at = {0};
        List<List<String>> variants = expand(sequence(tokens, at));
        assertThat(at[0]).as("brackets balance in: %s", synopsis).isEqualTo(tokens.size());
        return variants;
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(x -> x == c).count();
    }

    /** A synopsis as a tree: a word, or an optional group of alternative sequences. */
    private sealed interface Part permits Word, Group {
    }

    private record Word(String text) implements Part {
    }

    private record Group(List<List<Part>> alternatives) implements Part {
    }

    private static List<Part> sequence(List<String> tokens, int[] at) {
        List<Part> out = new ArrayList<>();
        while (at[0] < tokens.size()) {
            String t = tokens.get(at[0]);
            if (t.equals("]") || t.equals("|")) {
                return out;
            }
            at[0]++;
            if (t.equals("[")) {
                List<List<Part>> alternatives = new ArrayList<>();
                alternatives.add(sequence(tokens, at));
                while (at[0] < tokens.size() && tokens.get(at[0]).equals("|")) {
                    at[0]++;
                    alternatives.add(sequence(tokens, at));
                }
                assertThat(at[0]).as("a ']' closes every '['").isLessThan(tokens.size());
                at[0]++;
                out.add(new Group(alternatives));
            } else {
                out.add(new Word(t));
            }
        }
        return out;
    }

    private static List<List<String>> expand(List<Part> parts) {
        List<List<String>> out = new ArrayList<>();
        out.add(List.of());
        for (Part p : parts) {
            List<List<String>> choices = new ArrayList<>();
            if (p instanceof Word w) {
                Matcher negatable = Pattern.compile("--\\[no-](.+)").matcher(w.text());
                if (w.text().equals("…")) {
                    choices.add(List.of());
                } else if (negatable.matches()) {
                    choices.add(List.of("--" + negatable.group(1)));
                    choices.add(List.of("--no-" + negatable.group(1)));
                } else if (w.text().length() > 1 && w.text().contains("|")) {
                    for (String a : w.text().split("\\|")) {
                        choices.add(List.of(a));
                    }
                } else {
                    choices.add(List.of(w.text()));
                }
            } else {
                choices.add(List.of());
                for (List<Part> alternative : ((Group) p).alternatives()) {
                    choices.addAll(expand(alternative));
                }
            }
            List<List<String>> next = new ArrayList<>();
            for (List<String> prefix : out) {
                for (List<String> choice : choices) {
                    List<String> v = new ArrayList<>(prefix);
                    v.addAll(choice);
                    next.add(v);
                }
            }
            assertThat(next.size()).as("variants of a synopsis").isLessThan(10_000);
            out = next;
        }
        return out;
    }

    /** The file name of the CLI jar the build makes ({@code finalName} in el4ner-cli/pom.xml). */
    static String jarName() throws IOException {
        String pom = Files.readString(ROOT.resolve("el4ner-cli/pom.xml"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(m.find()).as("el4ner-cli/pom.xml names the shaded jar").isTrue();
        return m.group(1) + ".jar";
    }

    /** The arguments of {@code java -jar [el4ner-cli/target/]el4ner.jar ARGS}, checking the jar's path. */
    static List<String> el4nerArgs(List<String> command) throws IOException {
        assertThat(command.subList(0, 2)).as("%s", command).containsExactly("java", "-jar");
        Path jar = Path.of(command.get(2));
        assertThat(jar.getFileName().toString()).isEqualTo(jarName());
        if (jar.getParent() != null) {
            assertThat(jar.getParent().toString().replace('\\', '/')).as("where the build writes the jar")
                    .isEqualTo("el4ner-cli/target");
        }
        return command.subList(3, command.size());
    }

    /** Parses the arguments with the real command model: options exist, values convert, groups hold. */
    static void parse(List<String> args) {
        CommandLine cmd = commandLine();
        List<String> typed = new ArrayList<>(args);
        CommandLine sub = cmd.getSubcommands().get(args.get(0));
        assertThat(sub).as("command '%s' exists", args.get(0)).isNotNull();
        CommandSpec spec = sub.getCommandSpec();
        for (int i = 1; i + 1 < typed.size(); i++) {
            OptionSpec o = spec.findOption(typed.get(i));
            if (o != null && o.arity().max() > 0 && PLACEHOLDER.matcher(typed.get(i + 1)).matches()) {
                Class<?> type = o.type();
                if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
                    typed.set(i + 1, "1");
                }
            }
        }
        try {
            cmd.parseArgs(typed.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            fail("the documented command line " + args + " is not valid: " + e.getMessage());
        }
    }

    private static CommandLine commandLine() {
        PrintStream sink = new PrintStream(java.io.OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        PrintWriter none = new PrintWriter(java.io.Writer.nullWriter());
        return Main.commandLine(new java.io.ByteArrayInputStream(new byte[0]), sink, sink, none, none);
    }

    /** Replaces placeholders: a key {@code "--option WORD"} replaces the WORD after that option, {@code "WORD"} any. */
    static List<String> substitute(List<String> args, Map<String, String> values) {
        List<String> out = new ArrayList<>(args);
        for (int i = 0; i < out.size(); i++) {
            String after = i > 0 ? args.get(i - 1) + " " + args.get(i) : null;
            if (after != null && values.containsKey(after)) {
                out.set(i, values.get(after));
            } else if (values.containsKey(args.get(i))) {
                out.set(i, values.get(args.get(i)));
            }
        }
        assertThat(out).as("placeholders left in %s", out)
                .noneMatch(w -> PLACEHOLDER.matcher(w).matches());
        return out;
    }

    /** {@code ./mvnw} with known options, lifecycle phases and modules. */
    static void checkMaven(List<String> command) {
        assertThat(command.get(0)).isEqualTo("./mvnw");
        assertThat(ROOT.resolve("mvnw")).isExecutable();
        List<String> phases = List.of("clean", "validate", "compile", "test", "package", "verify", "install");
        for (int i = 1; i < command.size(); i++) {
            String w = command.get(i);
            if (w.equals("-pl")) {
                for (String module : command.get(++i).split(",")) {
                    assertThat(ROOT.resolve(module).resolve("pom.xml")).as("module %s", module).exists();
                }
            } else if (!w.matches("-q|-o|-am|-D[A-Za-z.]+(=\\S*)?")) {
                assertThat(phases).as("'%s' in %s is a known option or phase", w, command).contains(w);
            }
        }
    }
}
