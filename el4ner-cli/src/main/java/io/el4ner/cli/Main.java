package io.el4ner.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code el4ner} command. Exit codes: 0 success, 1 failure while recognising, 2 usage or configuration error.
 * stdout carries only results; messages and logs go to stderr.
 */
@Command(name = "el4ner", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Named entity recognition with an ensemble of small LLMs (EL4NER, arXiv 2505.23038).",
        footer = {"", "Exit codes: 0 success, 1 failure while running, 2 usage or configuration error.",
                "'el4ner help COMMAND' shows the help of a command.", "", Main.CONFIG_REFERENCE_1,
                "  " + Main.CONFIG_REFERENCE_URL})
public final class Main implements Callable<Integer> {
    /** Success. */
    public static final int OK = 0;
    /** A failure while recognising (every member failed, a backend error). */
    public static final int FAILURE = 1;
    /** A usage or configuration error: nothing was recognised. */
    public static final int USAGE = 2;
    /** The width of every command's help, in columns. */
    static final int HELP_WIDTH = 80;
    /** Where the configuration reference is online; the same text ships in the jar ({@code el4ner help config}). */
    static final String CONFIG_REFERENCE_URL = "https://github.com/el4ner/el4ner/blob/main/el4ner-cli/CONFIG.md";
    /** The first line of the footers that point at the configuration reference; {@link #CONFIG_REFERENCE_URL} follows. */
    static final String CONFIG_REFERENCE_1 = "Configuration reference: 'el4ner help config', or online:";

    @Spec
    private CommandSpec spec;

    private Main() {
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /**
     * Runs the command line in process.
     *
     * @param args the arguments
     * @param in standard input (read when no text is given)
     * @param out standard output: the JSON result (UTF-8), help and version
     * @param err standard error: messages (UTF-8)
     * @return the exit code: {@value #OK}, {@value #FAILURE} or {@value #USAGE}
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, in, out, err, System.getenv());
    }

    /**
     * Runs the command line in process with the environment given: the {@code HF_*} variables that {@code models}
     * and {@code recognize} without {@code --config} read (tests pass a loopback Hub and a temporary cache).
     *
     * @param args the arguments
     * @param in standard input
     * @param out standard output
     * @param err standard error
     * @param env the environment
     * @return the exit code
     */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        try {
            return commandLine(in, out, err, outWriter, errWriter, env).execute(args == null ? new String[0] : args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /**
     * The command tree, ready to run: every command's help is {@value #HELP_WIDTH} columns wide.
     *
     * @param in standard input
     * @param out standard output, for results
     * @param err standard error, to tell whether it is the process's own
     * @param outWriter standard output as UTF-8 text: help and version
     * @param errWriter standard error as UTF-8 text: messages
     * @return the command line
     */
    static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err, PrintWriter outWriter,
                                   PrintWriter errWriter) {
        return commandLine(in, out, err, outWriter, errWriter, System.getenv());
    }

    /**
     * @param in standard input
     * @param out standard output, for results
     * @param err standard error
     * @param outWriter standard output as UTF-8 text
     * @param errWriter standard error as UTF-8 text
     * @param env the environment ({@code HF_*})
     * @return the command line
     */
    static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err, PrintWriter outWriter,
                                   PrintWriter errWriter, Map<String, String> env) {
        CommandLine cmd = new CommandLine(new Main());
        cmd.addSubcommand("recognize", new RecognizeCommand(in, out, err, errWriter, in == System.in,
                err == System.err, env));
        cmd.addSubcommand("inspect", new InspectCommand(out, errWriter));
        cmd.addSubcommand("score", new ScoreCommand(out, errWriter));
        cmd.addSubcommand("evaluate", new EvaluateCommand(out, errWriter));
        cmd.addSubcommand("models", new ModelsCommand(out, err, errWriter, env));
        cmd.addSubcommand("help", new HelpCommand());
        cmd.setUsageHelpWidth(HELP_WIDTH);
        cmd.setUsageHelpAutoWidth(false);
        wrapParagraphsBetweenWords(cmd);
        cmd.setExpandAtFiles(false); // "--text @home" is text, not a file of arguments
        cmd.setOut(outWriter);
        cmd.setErr(errWriter);
        cmd.setParameterExceptionHandler(Main::usageError);
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            c.getErr().println("error: unexpected failure: " + e);
            return FAILURE;
        });
        return cmd;
    }

    /**
     * Makes the header, description and footer of every command wrap at spaces only: picocli breaks lines wherever
     * {@link java.text.BreakIterator} allows, which includes inside a file name such as {@code predictions.jsonl}.
     */
    private static void wrapParagraphsBetweenWords(CommandLine cmd) {
        Map<String, CommandLine.IHelpSectionRenderer> sections = cmd.getHelpSectionMap();
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER,
                help -> paragraphs(help.commandSpec().usageMessage().header(), help));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION,
                help -> paragraphs(help.commandSpec().usageMessage().description(), help));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER,
                help -> paragraphs(help.commandSpec().usageMessage().footer(), help));
        cmd.setHelpSectionMap(sections);
        cmd.getSubcommands().values().forEach(Main::wrapParagraphsBetweenWords);
    }

    /**
     * Each line of the source as a paragraph: kept as it is when it fits, else wrapped at spaces, continuation lines
     * indented like the first.
     */
    static String paragraphs(String[] lines, CommandLine.Help help) {
        int width = help.commandSpec().usageMessage().width();
        StringBuilder out = new StringBuilder();
        for (String source : lines) {
            String text;
            try {
                text = String.format(source); // as picocli does: "%%" is a percent sign
            } catch (java.util.IllegalFormatException e) {
                text = source;
            }
            for (String line : text.split("\\R", -1)) {
                wrap(line, width, out);
            }
        }
        return out.toString();
    }

    private static void wrap(String line, int width, StringBuilder out) {
        if (line.length() <= width) {
            out.append(line).append(System.lineSeparator());
            return;
        }
        String indent = line.substring(0, line.length() - line.stripLeading().length());
        StringBuilder current = new StringBuilder(indent);
        for (String word : line.strip().split(" +")) {
            if (current.length() > indent.length() && current.length() + 1 + word.length() > width) {
                out.append(current).append(System.lineSeparator());
                current.setLength(0);
                current.append(indent);
            }
            if (current.length() > indent.length()) {
                current.append(' ');
            }
            current.append(word);
        }
        out.append(current).append(System.lineSeparator());
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine c = e.getCommandLine();
        PrintWriter err = c.getErr();
        if (!(e instanceof CommandLine.UnmatchedArgumentException) && !c.getUnmatchedArguments().isEmpty()) {
            // "--confg x" is reported as what it is, not as the missing --config it causes
            CommandLine.UnmatchedArgumentException unmatched =
                    new CommandLine.UnmatchedArgumentException(c, c.getUnmatchedArguments());
            err.println("error: " + unmatched.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(unmatched, err);
        }
        String message = String.valueOf(e.getMessage());
        err.println("error: " + (message.startsWith("Error: ") ? message.substring("Error: ".length()) : message));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
        return USAGE;
    }

    /** No command given: usage to stderr, exit {@value #USAGE}. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: missing command");
        spec.commandLine().usage(err);
        return USAGE;
    }

    /** Reads the version that the build wrote into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"el4ner " + version()};
        }

        static String version() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                return "unknown";
            }
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        }
    }
}
