package io.el4ner.cli;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.NerResult;
import io.el4ner.core.DefaultEnsemble;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.RecognitionProgress;
import io.el4ner.hub.HubClient;
import io.el4ner.hub.HubException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code el4ner recognize}: one text in, one JSON object out. */
@Command(name = "recognize", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        header = "Recognise the named entities of one text; print them as one JSON object.",
        description = {"Recognises the named entities of one text and prints one JSON object on stdout:",
                "  {\"entities\":[{\"start\",\"end\",\"type\",\"text\",\"confidence\"}],",
                "   \"diagnostics\":[...],\"usage\":{...},\"degraded\":false}",
                "Offsets are UTF-16 indices into the text. The text is --text, the UTF-8 file --input, or standard "
                        + "input. Progress (sentences done, rate, ETA) goes to stderr, never to stdout.",
                "Without --config the default ensemble runs: three small models in-process, downloaded from the "
                        + "Hugging Face Hub into the Hugging Face cache on first use (see 'el4ner models')."},
        footer = {"", "Exit codes: 0 success, 1 failure while recognising (e.g. every member failed),",
                "2 usage or configuration error.", "", Main.CONFIG_REFERENCE_1, "  " + Main.CONFIG_REFERENCE_URL})
final class RecognizeCommand implements Callable<Integer> {
    /** The hint for Java callers that ends an {@link EnsembleFailureException}'s message: the CLI lists them. */
    private static final Pattern API_HINT = Pattern.compile("\\s*[;,]?\\s*\\(?see failures\\(\\)[^;)]*\\)?");
    private static final String PROVIDER_NOTE = "note: check the provider's name; to use a provider of your own, "
            + "put its jar on the class path and start io.el4ner.cli.Main with -cp (see 'el4ner help config')";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The JSON configuration: entity types, members, demonstrations... (see 'el4ner help "
                    + "config'). Default: the default ensemble (see 'el4ner models').")
    private Path config;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private Input input;

    @Option(names = "--provenance",
            description = "Add each entity's provenance: which members proposed, labelled and validated it.")
    private boolean provenance;

    @Option(names = "--pretty", description = "Indent the JSON.")
    private boolean pretty;

    @Option(names = "--progress", negatable = true,
            description = {"Show progress on stderr, at most once a second and at the end: sentences done, rate, ETA.",
                    "Default: shown when stderr is a terminal and the text takes over a second."})
    private Boolean progress;

    /** Where the text comes from; neither means stdin. */
    static final class Input {
        @Option(names = {"-t", "--text"}, required = true, paramLabel = "TEXT", description = "The text.")
        String text;

        @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE",
                description = "A UTF-8 file holding the text; '-' reads stdin.")
        String file;
    }

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream errStream;
    private final PrintWriter err;
    private final boolean interactive;
    private final boolean errIsTerminal;
    private final Map<String, String> env;

    RecognizeCommand(InputStream in, PrintStream out, PrintStream errStream, PrintWriter err, boolean systemIn,
                     boolean systemErr, Map<String, String> env) {
        this.in = in;
        this.out = out;
        this.errStream = errStream;
        this.err = err;
        this.interactive = systemIn && System.console() != null;
        this.errIsTerminal = systemErr && stderrIsTerminal();
        this.env = env;
    }

    @Override
    public Integer call() {
        CliConfig cfg;
        String text;
        try {
            cfg = config == null ? null : ConfigLoader.load(config);
            text = readInput();
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println("error: " + p));
            return Main.USAGE;
        }
        Secrets secrets = cfg == null ? Secrets.NONE : cfg.secrets();
        Built built = cfg == null ? buildDefault() : build(cfg, config, err);
        if (built.ner() == null) {
            return built.exitCode();
        }
        EnsembleNer ner = built.ner();
        try (ner) {
            boolean shown = progress != null ? progress : errIsTerminal;
            NerResult result = shown ? ner.recognize(text, new ProgressPrinter(err, progress != null))
                    : ner.recognize(text);
            out.write(ResultJson.render(result, provenance, pretty, secrets));
            out.write('\n');
            out.flush();
            if (out.checkError()) {
                err.println("error: could not write the result to stdout");
                return Main.FAILURE;
            }
            return Main.OK;
        } catch (EnsembleFailureException e) {
            failureLines(e, secrets).forEach(err::println);
            return Main.FAILURE;
        } catch (El4nerException e) {
            err.println("error: recognition failed: " + secrets.mask(e.getMessage()));
            return Main.FAILURE;
        } catch (IOException | RuntimeException e) {
            err.println("error: recognition failed unexpectedly: " + secrets.mask(describe(e)));
            return Main.FAILURE;
        }
    }

    /**
     * What the CLI prints when every member failed: core's message without its hint for Java callers ("see
     * failures() for each member's error"), worded for CLI users, then each member's error, one a line.
     *
     * @param e the failure
     * @param secrets secret values to mask
     * @return the lines, the first starting with {@code error: recognition failed: }
     */
    static List<String> failureLines(EnsembleFailureException e, Secrets secrets) {
        String message = API_HINT.matcher(String.valueOf(e.getMessage())).replaceAll("");
        List<String> lines = new ArrayList<>();
        lines.add("error: recognition failed: " + secrets.mask(message)
                + (e.failures().isEmpty() ? "" : "; each member's error:"));
        for (Diagnostic d : e.failures()) {
            lines.add(memberErrorLine(d.member(), ResultJson.lower(d.stage()), d.message(), secrets));
        }
        return lines;
    }

    /**
     * One member's error as the CLI prints it under a failed text or sentence ({@code recognize} and
     * {@code evaluate} alike).
     *
     * @param member the member's name
     * @param stage the stage, in lower case
     * @param message the error message
     * @param secrets secret values to mask
     * @return {@code   member 'NAME' (stage): message}
     */
    static String memberErrorLine(String member, String stage, String message, Secrets secrets) {
        return "  member '" + member + "' (" + stage + "): " + secrets.mask(message);
    }

    /**
     * Whether stderr is a terminal. On Linux, where {@code /proc/self/fd/2} says, that decides (so progress shows
     * with stdout redirected to a file); elsewhere JDK 17's only check, {@link System#console()}, which needs stdin
     * and stdout to be terminals.
     */
    static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        try {
            if (Files.isSymbolicLink(fd)) {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return System.console() != null;
    }

    /**
     * Prints the progress of one text on stderr in {@code evaluate}'s format: at most one line a second, and the last
     * one. When the user did not ask for progress (stderr is a terminal), a text done within a second prints nothing.
     */
    static final class ProgressPrinter implements Consumer<RecognitionProgress> {
        private static final long INTERVAL_NANOS = 1_000_000_000L;
        private final PrintWriter err;
        private final boolean asked;
        private long lastPrinted = -1;

        ProgressPrinter(PrintWriter err, boolean asked) {
            this.err = err;
            this.asked = asked;
        }

        @Override
        public void accept(RecognitionProgress p) {
            long elapsed = p.elapsed().toNanos();
            boolean last = p.done() == p.total();
            if (!asked && elapsed < INTERVAL_NANOS) {
                return;
            }
            if (lastPrinted >= 0 && !last && elapsed - lastPrinted < INTERVAL_NANOS) {
                return;
            }
            lastPrinted = elapsed;
            err.println(line(p));
            err.flush();
        }

        /** @return e.g. {@code 12/40 sentences, 3.10 sentences/s, ETA 0m09s} */
        static String line(RecognitionProgress p) {
            return String.format(Locale.ROOT, "%d/%d sentences, %.2f sentences/s, ETA %s", p.done(), p.total(),
                    p.sentencesPerSecond(), Eta.format(p.remaining(), p.done() < p.total()));
        }
    }

    /**
     * The default ensemble: its models downloaded into (or found in) the Hugging Face cache first, with progress on
     * stderr, so that a missing model is one message that says what to download and how; then its members are
     * created from the snapshot directories.
     */
    private Built buildDefault() {
        Map<String, java.nio.file.Path> dirs;
        // --no-progress silences download progress too
        try (HubClient hub = DefaultModels.client(env, Boolean.FALSE.equals(progress) ? null : errStream)) {
            try {
                dirs = DefaultModels.download(hub, false);
            } catch (HubException e) {
                err.println("error: " + DefaultModels.cannotGet(hub, e));
                return new Built(null, Main.FAILURE);
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return new Built(null, Main.USAGE);
        } catch (HubException e) { // setting the client up: say, an unreadable token file
            err.println("error: the Hugging Face Hub client cannot be set up: " + e.getMessage());
            return new Built(null, Main.FAILURE);
        }
        EnsembleNer.Builder b = DefaultEnsemble.configure(EnsembleNer.builder(), m -> Map.of("name", m.name(),
                "directory", dirs.get(m.name()).toString(), "variant", m.variant(),
                "maxNewTokens", DefaultEnsemble.MAX_NEW_TOKENS));
        return build(b, "the default ensemble", Secrets.NONE, err);
    }

    /** An ensemble built from a configuration, or the exit code that says why not. */
    record Built(EnsembleNer ner, int exitCode) {
    }

    /**
     * Builds the ensemble a configuration describes, reporting failures on {@code err} with secrets masked.
     *
     * @param cfg the loaded configuration
     * @param config its file, for messages
     * @param err where messages go
     * @return the ensemble, or no ensemble and the exit code
     */
    static Built build(CliConfig cfg, Path config, PrintWriter err) {
        return build(cfg, config, err, false);
    }

    /**
     * @param cfg the loaded configuration
     * @param config its file, for messages
     * @param err where messages go
     * @param oneSentence whether each text is one sentence already (evaluation), so it is never split
     * @return the ensemble, or no ensemble and the exit code
     */
    static Built build(CliConfig cfg, Path config, PrintWriter err, boolean oneSentence) {
        EnsembleNer.Builder b = cfg.toBuilder();
        if (oneSentence) {
            b.sentenceSplitter(io.el4ner.api.spi.SentenceSplitter.wholeText());
        }
        return build(b, String.valueOf(config), cfg.secrets(), err);
    }

    /**
     * @param b a configured builder
     * @param config what configured it, for messages
     * @param secrets secret values to mask in messages
     * @param err where messages go
     * @return the ensemble, or no ensemble and the exit code
     */
    static Built build(EnsembleNer.Builder b, String config, Secrets secrets, PrintWriter err) {
        try {
            return new Built(b.build(), Main.OK);
        } catch (El4nerConfigurationException e) {
            for (String problem : e.problems()) {
                err.println("error: " + config + ": " + secrets.mask(problem));
            }
            if (e.problems().stream().anyMatch(p -> String.valueOf(p).contains("no ModelMemberProvider named"))) {
                err.println(PROVIDER_NOTE);
            }
            return new Built(null, Main.USAGE);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("error: " + config + ": " + secrets.mask(e.getMessage()));
            return new Built(null, Main.USAGE);
        } catch (El4nerException e) {
            err.println("error: creating the ensemble failed: " + secrets.mask(e.getMessage()));
            return new Built(null, Main.FAILURE);
        } catch (RuntimeException e) {
            err.println("error: creating the ensemble failed unexpectedly: " + secrets.mask(describe(e)));
            return new Built(null, Main.FAILURE);
        }
    }

    private String readInput() {
        if (input != null && input.text != null) {
            return input.text;
        }
        byte[] bytes;
        String shown;
        if (input == null || input.file == null || input.file.equals("-")) {
            shown = "standard input";
            if (interactive) {
                err.println("reading the text from standard input; end it with Ctrl-D (Ctrl-Z on Windows)");
            }
            try {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new ConfigException(shown + ": cannot read: " + e.getMessage());
            }
        } else {
            shown = input.file;
            try {
                bytes = ConfigLoader.readFile(Path.of(input.file), shown, "input");
            } catch (InvalidPathException e) {
                throw new ConfigException(shown + ": not a valid path: " + e.getReason());
            }
        }
        return decode(bytes, shown);
    }

    /** Strict UTF-8; a leading byte order mark is dropped. */
    static String decode(byte[] bytes, String shown) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(buffer).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw new ConfigException(shown + ": the text is not valid UTF-8 (byte " + buffer.position()
                    + "); convert it to UTF-8");
        }
    }

    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append("; caused by ").append(c);
        }
        return sb.toString();
    }
}
