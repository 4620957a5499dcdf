package io.el4ner.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerException;
import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.Entity;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.UsageEntry;
import io.el4ner.core.BatchItem;
import io.el4ner.core.BatchListener;
import io.el4ner.core.BatchProgress;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.TracedResult;
import io.el4ner.eval.internal.JsonLinesFile;
import io.el4ner.eval.internal.JsonLinesJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Runs an ensemble over gold sentences and writes one JSON line per sentence as it goes, so that a run that
 * crashed or was stopped resumes where it stopped, never redoing or duplicating a sentence. Each line is the
 * project's predictions format ({@code {"text", "entities"}}) plus {@code id}, {@code dataset}, {@code language},
 * the ablation rows ({@code ablations}: row → {@code [[start, end, type], …]}), {@code usage}, {@code wallMillis},
 * {@code degraded} and, when every member failed, {@code failure} (such a sentence counts as predicting nothing,
 * and is never silently left out). A failed or degraded sentence also has {@code memberErrors}: each member's
 * error ({@link MemberError}), and a failed one the {@code usage} of the calls made until it failed.
 *
 * <p>A crash can cut the last line anywhere, inside a multi-byte character included: resuming cuts such a line
 * off and redoes its sentence, whatever byte the cut fell on. A complete line (one that ends with its line break)
 * that is not UTF-8 or not JSON is damage, not a crash's cut: resuming stops with an error naming the file and
 * the line, and leaves the file as it is.
 *
 * @since 0.1
 */
public final class EvaluationRun {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * Progress after each sentence.
     *
     * @param done sentences written in this run
     * @param skipped sentences found done in the predictions file
     * @param total sentences of the run
     * @param failed sentences whose recognition failed
     * @param elapsedMillis time since this run started
     */
    public record Progress(int done, int skipped, int total, int failed, long elapsedMillis) {
        /** @return sentences per second in this run */
        public double perSecond() {
            return elapsedMillis > 0 ? done * 1000.0 / elapsedMillis : 0;
        }

        /** @return estimated milliseconds left, or -1 before the first sentence */
        public long etaMillis() {
            return done > 0 ? (long) ((total - skipped - done) * (double) elapsedMillis / done) : -1;
        }
    }

    /**
     * A sentence whose recognition failed, as it was written to the predictions file.
     *
     * @param id the sentence's id
     * @param failure the exception's message (for an ensemble failure, meant for Java callers)
     * @param errors each member's error; empty when the failure was not the members' (a validator threw, say)
     */
    public record Failure(String id, String failure, List<MemberError> errors) {
        /** Copies the errors. */
        public Failure {
            errors = List.copyOf(errors);
        }
    }

    private EvaluationRun() {
    }

    /**
     * Chooses a seeded random subset, kept in input order.
     *
     * @param items all items
     * @param n how many to keep; all when {@code n >= items.size()}
     * @param seed the seed
     * @return the subset
     */
    public static List<EvaluationItem> sample(List<EvaluationItem> items, int n, long seed) {
        if (n >= items.size()) {
            return List.copyOf(items);
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            idx.add(i);
        }
        java.util.Collections.shuffle(idx, new Random(seed));
        List<Integer> chosen = new ArrayList<>(idx.subList(0, n));
        chosen.sort(null);
        return chosen.stream().map(items::get).toList();
    }

    /**
     * Runs (or resumes) an evaluation.
     *
     * @param ner the ensemble
     * @param items the gold sentences, with unique ids
     * @param predictions the JSON Lines file to write (appended to when resuming)
     * @param parallelism sentences recognised at once
     * @param progress called after every sentence
     * @return how many sentences this run recognised
     * @throws IOException when the file cannot be read or written
     * @throws El4nerException when the file holds a sentence that is not among the items, or with another text, or
     *     a damaged complete line
     */
    public static int run(EnsembleNer ner, List<EvaluationItem> items, Path predictions, int parallelism,
                          Consumer<Progress> progress) throws IOException {
        return run(ner, items, predictions, parallelism, progress, f -> { });
    }

    /**
     * Runs (or resumes) an evaluation and tells about each sentence that failed, as it is written.
     *
     * @param ner the ensemble
     * @param items the gold sentences, with unique ids
     * @param predictions the JSON Lines file to write (appended to when resuming)
     * @param parallelism sentences recognised at once
     * @param progress called after every sentence
     * @param failures called, on the calling thread, for every sentence of this run whose recognition failed
     * @return how many sentences this run recognised
     * @throws IOException when the file cannot be read or written
     * @throws El4nerException when the file holds a sentence that is not among the items, or with another text, or
     *     a damaged complete line
     * @since 0.1
     */
    public static int run(EnsembleNer ner, List<EvaluationItem> items, Path predictions, int parallelism,
                          Consumer<Progress> progress, Consumer<Failure> failures) throws IOException {
        Map<String, EvaluationItem> byId = new LinkedHashMap<>();
        for (EvaluationItem it : items) {
            if (byId.put(it.id(), it) != null) {
                throw new IllegalArgumentException("duplicate sentence id " + it.id());
            }
        }
        Map<String, JsonNode> done = readDone(predictions, byId);
        List<EvaluationItem> todo = items.stream().filter(it -> !done.containsKey(it.id())).toList();
        long start = System.nanoTime();
        int[] counts = {0, 0};
        List<String> members = ner.memberNames();
        try (JsonLinesJournal out = JsonLinesJournal.open(predictions)) {
            List<String> texts = todo.stream().map(it -> it.sentence().text()).toList();
            IOException[] failure = {null};
            ner.recognizeBatchTraced(texts, parallelism, new BatchListener() {
                @Override
                public void onResult(BatchItem b) {
                    EvaluationItem it = todo.get(b.index());
                    try {
                        out.append(line(it, b, members));
                    } catch (IOException e) {
                        failure[0] = e;
                        throw new El4nerException("cannot write " + predictions + ": " + e.getMessage(), e);
                    }
                    counts[0]++;
                    if (b.failure().isPresent()) {
                        counts[1]++;
                        El4nerException e = b.failure().get();
                        failures.accept(new Failure(it.id(), String.valueOf(e.getMessage()), errors(e)));
                    }
                }

                @Override
                public void onProgress(BatchProgress p) {
                    progress.accept(new Progress(counts[0], done.size(), items.size(), counts[1],
                            (System.nanoTime() - start) / 1_000_000));
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
        }
        return counts[0];
    }

    private static String line(EvaluationItem it, BatchItem b, List<String> members)
            throws JsonProcessingException {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", it.id());
        o.put("dataset", it.dataset());
        o.put("language", it.language());
        o.put("text", it.sentence().text());
        ArrayNode entities = o.putArray("entities");
        ObjectNode ablations = JSON.createObjectNode();
        if (b.traced().isPresent()) {
            TracedResult t = b.traced().get();
            for (Entity e : t.result().entities()) {
                entities.addObject().put("start", e.start()).put("end", e.end()).put("type", e.type())
                        .put("text", e.text()).put("confidence", e.confidence());
            }
            Ablations.of(t, members).forEach((row, spans) -> {
                ArrayNode a = ablations.putArray(row);
                for (LabeledSpan s : spans) {
                    a.addArray().add(s.start()).add(s.end()).add(s.type());
                }
            });
            usage(o, t.result().usage().entries());
            o.put("wallMillis", t.result().usage().wallMillis());
            o.put("degraded", t.result().degraded());
            o.put("diagnostics", t.result().diagnostics().size());
            memberErrors(o, t.result().diagnostics().stream().filter(Diagnostic::degrades).map(MemberError::of)
                    .toList());
        } else {
            o.put("failure", b.failure().map(Throwable::getMessage).orElse("unknown failure"));
            o.put("degraded", true);
            if (b.failure().orElse(null) instanceof EnsembleFailureException e) {
                usage(o, e.usage().entries());
            }
            memberErrors(o, b.failure().map(EvaluationRun::errors).orElse(List.of()));
        }
        o.set("ablations", ablations);
        return JSON.writeValueAsString(o);
    }

    private static void usage(ObjectNode o, List<UsageEntry> entries) {
        ArrayNode usage = o.putArray("usage");
        for (UsageEntry u : entries) {
            usage.addObject().put("stage", u.stage().name().toLowerCase(Locale.ROOT)).put("member", u.member())
                    .put("calls", u.calls()).put("failures", u.failures()).put("promptTokens", u.promptTokens())
                    .put("completionTokens", u.completionTokens()).put("latencyMillis", u.latencyMillis());
        }
    }

    /** Adds {@code memberErrors} when there is one. */
    private static void memberErrors(ObjectNode o, List<MemberError> errors) {
        if (errors.isEmpty()) {
            return;
        }
        ArrayNode a = o.putArray("memberErrors");
        for (MemberError e : errors) {
            a.addObject().put("stage", e.stage()).put("member", e.member()).put("kind", e.kind())
                    .put("message", e.message());
        }
    }

    /** Each member's error behind a failure; none when it was not the members' failure. */
    private static List<MemberError> errors(El4nerException e) {
        return e instanceof EnsembleFailureException f ? f.failures().stream().map(MemberError::of).toList()
                : List.of();
    }

    /**
     * Reads the sentences already done, by the one torn-line rule of {@link JsonLinesFile}: a last line cut short
     * by a crash (at any byte, inside a multi-byte character included) is cut off and its sentence redone; a
     * damaged complete line is an error naming the file and line. {@link JsonLinesJournal#open} then makes the
     * file end with a line break, ready for appending.
     */
    private static Map<String, JsonNode> readDone(Path predictions, Map<String, EvaluationItem> byId)
            throws IOException {
        Map<String, JsonNode> done = new HashMap<>();
        if (!Files.exists(predictions)) {
            return done;
        }
        List<JsonLinesFile.Record> records = JsonLinesFile.read(predictions, (line, problem) ->
                new El4nerException(predictions + ": line " + line + " is " + problem));
        for (JsonLinesFile.Record r : records) {
            int line = r.line();
            JsonNode n = r.json();
            if (n == null || !n.path("id").isTextual()) {
                throw new El4nerException(predictions + ": line " + line + " has no 'id'; is this an evaluate "
                        + "predictions file?");
            }
            String id = n.get("id").asText();
            EvaluationItem it = byId.get(id);
            if (it == null) {
                throw new El4nerException(predictions + ": line " + line + " is sentence '" + id + "', which is not "
                        + "in this run; use a new output directory or the same data, sample and seed");
            }
            if (!it.sentence().text().equals(n.path("text").asText())) {
                throw new El4nerException(predictions + ": line " + line + ": sentence '" + id + "' has another "
                        + "text than the gold data; the predictions do not match the gold sentences");
            }
            if (done.put(id, n) != null) {
                throw new El4nerException(predictions + ": line " + line + " repeats sentence '" + id + "'");
            }
        }
        return done;
    }
}
