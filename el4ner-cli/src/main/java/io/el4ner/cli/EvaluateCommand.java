package io.el4ner.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.El4nerException;
import io.el4ner.core.EnsembleNer;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.DatasetFormatException;
import io.el4ner.eval.EvaluationItem;
import io.el4ner.eval.EvaluationReport;
import io.el4ner.eval.EvaluationRun;
import io.el4ner.eval.MemberError;
import io.el4ner.eval.Scheme;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code el4ner evaluate}: run a configuration over gold data, resumably, and write a report. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        header = "Measure a configuration on gold CoNLL data; resumable; writes predictions and a report.",
        description = {"Recognises every sentence (or a seeded random sample) of the gold files with the ensemble "
                + "of --config, writing one JSON line per sentence to OUT/predictions.jsonl as it goes.",
                "Run the same command again after a crash or Ctrl-C and it resumes where it stopped, but only if "
                        + "the configuration, the files it names, the data and the options are the same "
                        + "(OUT/run.json records them); otherwise it stops and says what changed: add --restart to "
                        + "start over.",
                "Then it writes OUT/report.json, OUT/report.md and OUT/report.html: F1 overall, per type and per "
                        + "stage and member (ablations), bootstrap 95%% intervals, the validator's effect, calls, "
                        + "tokens and latency."},
        footer = {"", "Exit codes: 0 success, 1 failure while running,", "2 usage, configuration or data error.", "",
                Main.CONFIG_REFERENCE_1, "  " + Main.CONFIG_REFERENCE_URL})
final class EvaluateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** Failed sentences whose members' errors are printed as they happen; the others are counted in the summary. */
    static final int FAILURES_SHOWN = 5;
    /** The files a run writes in --out, deleted by --restart. */
    private static final List<String> OUTPUTS = List.of("run.json", "predictions.jsonl", "sentence-ids.txt",
            "predictions.conll", "report.json", "report.md", "report.html");

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The JSON configuration "
            + "('el4ner help config').")
    private Path config;

    @Option(names = {"-d", "--data"}, required = true, paramLabel = "FILE", description = "A gold CoNLL file; "
            + "repeat for several.")
    private List<Path> data;

    @Option(names = "--language", paramLabel = "CODE", description = "The language of each --data file, in the "
            + "same order (one value applies to all); default 'und'.")
    private List<String> languages = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "conll", description = "The gold format: "
            + "conll (default).")
    private String format;

    @Option(names = "--scheme", paramLabel = "SCHEME", defaultValue = "iob2", description = "iob1, iob2 (default) "
            + "or bioes.")
    private String scheme;

    @Option(names = "--column", paramLabel = "N", description = "The 1-based column holding the tags (the token is "
            + "column 1). Default: the last.")
    private Integer column;

    @Option(names = "--sample", paramLabel = "N", description = "Evaluate a seeded random sample of N sentences.")
    private Integer sample;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "The seed of --sample and of the "
            + "bootstrap (default 1).")
    private long seed;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Where predictions and "
            + "reports go; an existing run there is resumed if its inputs are the same (else see --restart).")
    private Path out;

    @Option(names = "--parallel", paramLabel = "P", defaultValue = "1", description = "Sentences in flight at "
            + "once (default 1).")
    private int parallel;

    @Option(names = "--restart", description = "Delete the files of the previous run in --out (its "
            + "record, predictions and reports) and start over instead of resuming.")
    private boolean restart;

    private final PrintStream stdout;
    private final PrintWriter err;

    EvaluateCommand(PrintStream stdout, PrintWriter err) {
        this.stdout = stdout;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (!format.equalsIgnoreCase("conll")) {
            err.println("error: unknown --format '" + format + "'; accepted: conll");
            return Main.USAGE;
        }
        Scheme sch;
        try {
            sch = Scheme.parse(scheme);
        } catch (IllegalArgumentException e) {
            err.println("error: --scheme: " + e.getMessage());
            return Main.USAGE;
        }
        if (column != null && column < 2) {
            err.println("error: --column must be 2 or more (column 1 holds the tokens), got " + column);
            return Main.USAGE;
        }
        if (parallel < 1 || (sample != null && sample < 1)) {
            err.println("error: --parallel and --sample must be >= 1");
            return Main.USAGE;
        }
        if (!languages.isEmpty() && languages.size() != 1 && languages.size() != data.size()) {
            err.println("error: give one --language for all --data files or one per file (" + data.size() + ")");
            return Main.USAGE;
        }
        List<EvaluationItem> items;
        try {
            items = load(sch);
        } catch (NoSuchFileException e) {
            err.println("error: no such file: " + e.getFile());
            return Main.USAGE;
        } catch (DatasetFormatException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return Main.USAGE;
        } catch (IOException e) {
            err.println("error: cannot read the data: " + e.getMessage());
            return Main.USAGE;
        }
        if (sample != null) {
            items = EvaluationRun.sample(items, sample, seed);
        }
        CliConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println("error: " + p));
            return Main.USAGE;
        }
        Secrets secrets = cfg.secrets();
        ObjectNode run;
        try {
            Files.createDirectories(out);
            run = checkRun(secrets);
            if (run == null) {
                return Main.USAGE;
            }
        } catch (IOException e) {
            err.println("error: cannot write to " + out + ": " + e.getMessage());
            return Main.USAGE;
        }
        Path predictions = out.resolve("predictions.jsonl");
        AtomicInteger doneSoFar = new AtomicInteger(-1);
        int total = items.size();
        Thread interrupted = new Thread(() -> {
            err.println(interruptedMessage(doneSoFar.get(), total));
            err.flush();
        }, "el4ner-evaluate-interrupted");
        Runtime.getRuntime().addShutdownHook(interrupted); // from here on (loading models too)
        RecognizeCommand.Built built;
        try {
            built = RecognizeCommand.build(cfg, config, err, true);
        } catch (RuntimeException e) {
            removeHook(interrupted);
            throw e;
        }
        if (built.ner() == null) {
            removeHook(interrupted);
            return built.exitCode();
        }
        // run.json is written only for an ensemble that could be built: a configuration that build() rejects
        // leaves no run behind that its corrected version would then be refused to resume
        try {
            writeRun(run, items);
        } catch (IOException e) {
            removeHook(interrupted);
            built.ner().close();
            err.println("error: cannot write to " + out + ": " + e.getMessage());
            return Main.USAGE;
        }
        try (EnsembleNer ner = built.ner()) {
            long[] lastPrint = {0};
            int ran = EvaluationRun.run(ner, items, predictions, parallel, p -> {
                doneSoFar.set(p.done() + p.skipped());
                long now = System.nanoTime();
                if (now - lastPrint[0] > 2_000_000_000L || p.done() + p.skipped() == p.total()) {
                    lastPrint[0] = now;
                    err.println(String.format(Locale.ROOT, "%d/%d sentences (%d resumed, %d failed), %.2f sentences/s,"
                                    + " ETA %s", p.done() + p.skipped(), p.total(), p.skipped(), p.failed(),
                            p.perSecond(), Eta.format(p.etaMillis(),
                            p.done() + p.skipped() < p.total())));
                    err.flush();
                }
            }, f -> printFailure(f, secrets));
            EvaluationReport report = EvaluationReport.of(items, predictions, config.getFileName().toString(), seed)
                    .resumed(items.size() - ran);
            report.write(out);
            printCauses(report.json(), secrets);
            JsonNode overall = report.json().path("overall").path("micro");
            // every sentence is now either found done in predictions.jsonl (resumed) or recognised by this run
            stdout.println(String.format(Locale.ROOT, "{\"sentences\":%d,\"recognized\":%d,\"resumed\":%d,"
                            + "\"f1\":%.6f,\"report\":%s}", items.size(), ran, items.size() - ran,
                    overall.path("f1").asDouble(), JSON.writeValueAsString(out.resolve("report.json").toString())));
            stdout.flush();
            return Main.OK;
        } catch (El4nerException e) {
            err.println("error: evaluation failed: " + secrets.mask(e.getMessage()));
            return Main.FAILURE;
        } catch (IOException | RuntimeException e) {
            err.println("error: evaluation failed: " + secrets.mask(RecognizeCommand.describe(e)));
            return Main.FAILURE;
        } finally {
            removeHook(interrupted);
        }
    }

    private int failuresPrinted;

    /**
     * Prints a failed sentence with each member's error (the exception's message points Java callers at
     * {@code failures()}, which means nothing here), the first {@value #FAILURES_SHOWN} of a run; then says once
     * where the others are.
     */
    private void printFailure(EvaluationRun.Failure f, Secrets secrets) {
        failuresPrinted++;
        if (failuresPrinted > FAILURES_SHOWN) {
            if (failuresPrinted == FAILURES_SHOWN + 1) {
                err.println("(more sentences failed: each one's member errors are under \"memberErrors\" in "
                        + out.resolve("predictions.jsonl") + ", and the summary at the end counts their causes)");
            }
            return;
        }
        if (f.errors().isEmpty()) {
            err.println("sentence " + f.id() + " failed: " + secrets.mask(f.failure()));
        } else {
            err.println("sentence " + f.id() + " failed: no member answered; their errors:");
            for (MemberError e : f.errors()) {
                err.println(RecognizeCommand.memberErrorLine(e.member(), e.stage(), e.message(), secrets));
            }
        }
        err.flush();
    }

    /** Prints how many sentences failed or were degraded and the most frequent causes, when there are any. */
    private void printCauses(JsonNode report, Secrets secrets) {
        JsonNode causes = report.path("failureCauses");
        int errors = causes.path("errors").asInt();
        if (errors == 0) {
            return;
        }
        int failed = report.path("failedSentences").asInt();
        int degraded = report.path("degradedSentences").asInt() - failed;
        err.println(String.format(Locale.ROOT, "%d of %d sentences failed and %d more were degraded; the most "
                        + "frequent causes of their %d errors (%d distinct):", failed, report.path("sentences").asInt(),
                Math.max(0, degraded), errors, causes.path("distinct").asInt()));
        for (JsonNode c : causes.path("top")) {
            String who = c.path("member").asText().isEmpty() ? ""
                    : "member '" + c.path("member").asText() + "' (" + c.path("stage").asText() + "): ";
            err.println("  " + c.path("count").asInt() + "\u00d7 " + who + secrets.mask(c.path("cause").asText()));
        }
        err.println("(each sentence's errors are under \"memberErrors\" in " + out.resolve("predictions.jsonl")
                + "; see also " + out.resolve("report.md") + ")");
        err.flush();
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down (Ctrl-C): the hook tells the user how to resume
        }
    }

    /**
     * The line printed on stderr when the JVM is stopped (Ctrl-C, SIGTERM) during a run: it exits 130 or 143
     * by itself, and the predictions written so far are kept for the next run.
     *
     * @param done sentences done (resumed and recognised), or -1 before the first one of this run
     * @param total sentences of the run
     */
    String interruptedMessage(int done, int total) {
        return "interrupted " + (done < 0 ? "before this run finished a sentence" : "after " + done + " of "
                + total + " sentences") + "; the predictions so far are kept in " + out.resolve("predictions.jsonl")
                + ": run the same command again to resume";
    }

    private List<EvaluationItem> load(Scheme sch) throws IOException {
        ConllReader reader = ConllReader.builder().scheme(sch).tagColumn(column == null ? -1 : column - 1)
                .build();
        List<EvaluationItem> items = new ArrayList<>();
        for (int f = 0; f < data.size(); f++) {
            Path file = data.get(f);
            String lang = language(f);
            String name = datasetName(file);
            List<ConllSentence> sentences = reader.read(file);
            for (int i = 0; i < sentences.size(); i++) {
                items.add(new EvaluationItem(name + "#" + (i + 1), name, lang, sentences.get(i)));
            }
        }
        return items;
    }

    private String language(int file) {
        return languages.isEmpty() ? "und" : languages.get(languages.size() == 1 ? 0 : file);
    }

    /** The name of a data file in its sentences' ids: its folder's name and its own. */
    private static String datasetName(Path file) {
        Path parent = file.toAbsolutePath().normalize().getParent();
        return (parent == null || parent.getFileName() == null ? "" : parent.getFileName() + "/")
                + file.getFileName();
    }

    /**
     * Records what determines the run's predictions in OUT/run.json ({@link RunFingerprint}); an existing run there
     * is resumed only when all of it is the same. With --restart the previous run's outputs are deleted first.
     *
     * Nothing is written here: {@link #writeRun} records the run once its ensemble is built.
     *
     * @return what to record in run.json, or null when the run cannot go on (the message is printed)
     */
    private ObjectNode checkRun(Secrets secrets) throws IOException {
        ObjectNode run = JSON.createObjectNode();
        run.put("config", config.toString());
        var d = run.putArray("data");
        data.forEach(p -> d.add(p.toString()));
        run.put("scheme", scheme.toLowerCase(Locale.ROOT));
        run.put("column", column == null ? 0 : column);
        if (sample != null) {
            run.put("sample", sample);
        }
        run.put("seed", seed);
        run.put("el4ner", Main.Version.version());
        List<RunFingerprint.DataFile> files = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        for (int f = 0; f < data.size(); f++) {
            files.add(new RunFingerprint.DataFile(datasetName(data.get(f)), data.get(f)));
            langs.add(language(f));
        }
        ObjectNode fingerprint;
        try {
            fingerprint = RunFingerprint.of(config, secrets, files, langs, scheme.toLowerCase(Locale.ROOT),
                    column == null ? 0 : column, sample, seed, out);
        } catch (IOException e) {
            err.println("error: cannot read a file the run depends on, to record it in run.json: "
                    + secrets.mask(RecognizeCommand.describe(e)));
            return null;
        }
        run.set(RunFingerprint.KEY, fingerprint);
        Path runFile = out.resolve("run.json");
        String startOver = "add --restart to delete that run's outputs in " + out + " and start over, or choose "
                + "another --out";
        if (restart) {
            List<String> removed = new ArrayList<>();
            for (String name : OUTPUTS) {
                if (Files.deleteIfExists(out.resolve(name))) {
                    removed.add(name);
                }
            }
            if (!removed.isEmpty()) {
                err.println("starting over in " + out + ": removed the previous run's " + String.join(", ", removed));
            }
        }
        if (Files.exists(runFile)) {
            JsonNode before;
            try {
                before = JSON.readTree(runFile.toFile());
            } catch (JsonProcessingException e) {
                before = null;
            }
            if (before == null || !before.path(RunFingerprint.KEY).isObject()) {
                err.println("error: " + out + " holds a run whose " + runFile.getFileName() + " does not record what "
                        + "its predictions depend on (it was written by an older el4ner, or is damaged), so it "
                        + "cannot be resumed safely; " + startOver);
                return null;
            }
            List<String> changes = RunFingerprint.differences(before.get(RunFingerprint.KEY), fingerprint);
            if (!changes.isEmpty()) {
                err.println("error: " + out + " holds a run made with other inputs, so its predictions cannot be "
                        + "resumed (they would be mixed with new ones):");
                changes.forEach(c -> err.println("  - " + c));
                err.println(Character.toUpperCase(startOver.charAt(0)) + startOver.substring(1) + ".");
                return null;
            }
            err.println("resuming the run in " + out + " (same configuration, files, data and options)");
        } else if (Files.exists(out.resolve("predictions.jsonl"))) {
            err.println("error: " + out + " holds predictions.jsonl but no run.json, so nothing says how those "
                    + "predictions were made; " + startOver);
            return null;
        }
        return run;
    }

    /** Writes OUT/run.json and OUT/sentence-ids.txt for a run {@link #checkRun} accepted. */
    private void writeRun(ObjectNode run, List<EvaluationItem> items) throws IOException {
        Files.writeString(out.resolve("run.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(run)
                + "\n", StandardCharsets.UTF_8);
        StringBuilder ids = new StringBuilder();
        items.forEach(it -> ids.append(it.id()).append('\n'));
        Files.writeString(out.resolve("sentence-ids.txt"), ids, StandardCharsets.UTF_8);
    }
}
