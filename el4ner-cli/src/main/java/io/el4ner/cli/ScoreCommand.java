package io.el4ner.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.eval.BootstrapInterval;
import io.el4ner.eval.ConllevalFile;
import io.el4ner.eval.ConllevalFormatException;
import io.el4ner.eval.Scheme;
import io.el4ner.eval.Score;
import io.el4ner.eval.ScoreReport;
import io.el4ner.eval.Scorer;
import io.el4ner.eval.StrictTagException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code el4ner score}: entity-level precision, recall and F1 of a prediction file, as one JSON object. */
@Command(name = "score", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        header = "Score predicted entity tags against gold tags; print one JSON object.",
        description = {"Reads a conlleval file: one token per line, 'token ... gold predicted' separated",
                "by single spaces, a blank line between sentences (-DOCSTART- and -X- lines are",
                "boundaries too). Prints one JSON object:",
                "  {\"micro\":{\"tp\",\"fp\",\"fn\",\"precision\",\"recall\",\"f1\"},",
                "   \"macro\":{\"precision\",\"recall\",\"f1\"},",
                "   \"types\":{\"TYPE\":{\"tp\",\"fp\",\"fn\",\"precision\",\"recall\",\"f1\"}},",
                "   \"mode\":..,\"sentences\":..}",
                "An entity is correct when its span and type are exact. Precision, recall and",
                "F1 are fractions in [0, 1], 0 when undefined. The types are those seen in gold",
                "or prediction, sorted by name; macro averages the per-type values over them.",
                "",
                "Modes:",
                "  conlleval  the counts of the CoNLL script conlleval (2004): an I- after O",
                "             starts an entity, IOB1 gold can be scored against IOB2",
                "             predictions, the type is everything after the first '-'.",
                "  strict     seqeval's strict mode: only entities well formed in the scheme",
                "             count (IOB2: B- then I-; BIOES: S-, or B- I-... E-; IOB1, which",
                "             seqeval lacks: an I- after O or another type starts one); a tag",
                "             that is not O or B-/I-(/E-/S-)TYPE is an error. The gold tags",
                "             must be well formed in the scheme: IOB1 gold (CoNLL-2003) needs",
                "             --scheme iob1.",
                "",
                "A file without a prediction column (a gold-only file such as CoNLL-2003's",
                "'token POS chunk NER', whose last two items are chunk and entity tags) is",
                "refused, and so is strict scoring that would drop gold entities or, with no",
                "--scheme, IOB1 predictions; the message says what to pass.",
                ""},
        footer = {"", "Exit codes: 0 success, 2 usage error, unreadable/malformed file or a file that",
                "cannot be scored as asked (the message says what to pass), 1 unexpected failure."})
final class ScoreCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "conlleval",
            description = "The file format: conlleval (default).")
    private String format;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "conlleval",
            description = "conlleval (default) or strict.")
    private String mode;

    @Option(names = "--scheme", paramLabel = "SCHEME",
            description = "Strict mode only: the tagging scheme, iob1, iob2 or bioes. Default: bioes when some tag "
                    + "starts with E- or S-, else iob2; IOB1 gold (CoNLL-2003) is refused without --scheme iob1.")
    private String scheme;

    @Option(names = "--bootstrap", paramLabel = "N",
            description = "Add a 95%% bootstrap confidence interval for micro F1 from N resamples of the "
                    + "sentences (e.g. " + BootstrapInterval.DEFAULT_RESAMPLES + ").")
    private Integer bootstrap;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "The seed of the bootstrap (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--pretty", description = "Indent the JSON.")
    private boolean pretty;

    @Parameters(index = "0", paramLabel = "FILE", description = "The conlleval file (UTF-8).")
    private String file;

    private final PrintStream out;
    private final PrintWriter err;

    ScoreCommand(PrintStream out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (!format.toLowerCase(Locale.ROOT).equals("conlleval")) {
            return usage("unknown --format '" + format + "'; accepted: conlleval");
        }
        String m = mode.toLowerCase(Locale.ROOT);
        if (!m.equals("conlleval") && !m.equals("strict")) {
            return usage("unknown --mode '" + mode + "'; accepted: conlleval, strict");
        }
        Scheme strictScheme = null;
        if (scheme != null) {
            if (!m.equals("strict")) {
                return usage("--scheme applies only to --mode strict (conlleval mode reads IOB1, IOB2 and BIOES"
                        + " tags by the script's own rules); add --mode strict or drop --scheme");
            }
            try {
                strictScheme = Scheme.parse(scheme);
            } catch (IllegalArgumentException e) {
                strictScheme = null;
            }
            if (strictScheme == null) {
                return usage("unknown --scheme '" + scheme + "' for strict scoring; accepted: iob1, iob2, bioes");
            }
        }
        if (bootstrap != null && bootstrap < 1) {
            return usage("--bootstrap needs a number of resamples >= 1, got " + bootstrap);
        }

        ConllevalFile parsed;
        String text;
        try {
            byte[] bytes = ConfigLoader.readFile(Path.of(file), file, "conlleval");
            text = RecognizeCommand.decode(bytes, file);
            parsed = ConllevalFile.parse(text);
        } catch (InvalidPathException e) {
            err.println("error: " + file + ": not a valid path: " + e.getReason());
            return Main.USAGE;
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println("error: " + p));
            return Main.USAGE;
        } catch (ConllevalFormatException e) {
            err.println("error: " + file + ": " + e.getMessage());
            return Main.USAGE;
        }

        String noPredictions = ScoreInputCheck.columns(parsed.sentences(), items(text, parsed));
        if (noPredictions != null) {
            return refuse(noPredictions);
        }
        ScoreReport report;
        if (m.equals("strict")) {
            boolean explicit = strictScheme != null;
            if (strictScheme == null) {
                strictScheme = Scorer.detectStrictScheme(parsed.sentences());
            }
            try {
                report = parsed.scoreStrict(strictScheme);
            } catch (StrictTagException e) {
                err.println("error: " + file + ": " + e.getMessage());
                return Main.USAGE;
            }
            String problem = ScoreInputCheck.strictGold(parsed.sentences(), strictScheme, explicit);
            if (problem == null && !explicit && strictScheme == Scheme.IOB2) {
                problem = ScoreInputCheck.strictPredictedIob1(parsed.sentences());
            }
            if (problem != null) {
                return refuse(problem);
            }
        } else {
            report = parsed.scoreConlleval();
        }

        ObjectNode root = JSON.createObjectNode();
        root.set("micro", score(report.micro()));
        ObjectNode macro = root.putObject("macro");
        macro.put("precision", report.macroPrecision());
        macro.put("recall", report.macroRecall());
        macro.put("f1", report.macroF1());
        ObjectNode types = root.putObject("types");
        for (Map.Entry<String, Score> e : report.types().entrySet()) {
            types.set(e.getKey(), score(e.getValue()));
        }
        root.put("mode", m);
        if (strictScheme != null) {
            root.put("scheme", strictScheme.name().toLowerCase(Locale.ROOT));
        }
        root.put("sentences", report.sentenceCount());
        if (bootstrap != null) {
            BootstrapInterval ci = report.bootstrapMicroF1(bootstrap, seed);
            ObjectNode b = root.putObject("bootstrap");
            b.put("resamples", ci.resamples());
            b.put("seed", ci.seed());
            b.put("confidence", ci.confidence());
            b.put("f1Low", ci.low());
            b.put("f1High", ci.high());
        }

        try {
            String json = pretty ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root)
                    : JSON.writeValueAsString(root);
            byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(bytes, 0, bytes.length);
            out.flush();
        } catch (JsonProcessingException e) {
            err.println("error: could not write the result: " + e.getOriginalMessage());
            return Main.FAILURE;
        }
        if (out.checkError()) {
            err.println("error: could not write the result to stdout");
            return Main.FAILURE;
        }
        return Main.OK;
    }

    private static ObjectNode score(Score s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("tp", s.tp());
        n.put("fp", s.fp());
        n.put("fn", s.fn());
        n.put("precision", s.precision());
        n.put("recall", s.recall());
        n.put("f1", s.f1());
        return n;
    }

    /** The number of items on the first token line, 0 when there is none. */
    private static int items(String text, ConllevalFile parsed) {
        if (parsed.sentences().isEmpty()) {
            return 0;
        }
        int line = parsed.sentences().get(0).firstLine();
        return text.lines().skip(Math.max(0, line - 1)).findFirst()
                .map(l -> l.strip().split(" +").length).orElse(0);
    }

    private int refuse(String problem) {
        err.println("error: " + file + ": " + problem);
        return Main.USAGE;
    }

    private int usage(String message) {
        err.println("error: " + message);
        err.println("Run 'el4ner score --help' for usage.");
        return Main.USAGE;
    }
}
