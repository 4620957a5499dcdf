package io.el4ner.core.internal.pipeline;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerException;
import io.el4ner.api.Entity;
import io.el4ner.api.NerResult;
import io.el4ner.api.Stage;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.SentenceSplitter;
import io.el4ner.core.RecognitionProgress;
import io.el4ner.core.SentenceTrace;
import io.el4ner.core.internal.exec.CallLedger;
import io.el4ner.core.internal.exec.Pools;
import io.el4ner.core.internal.exec.ProgressTracker;
import io.el4ner.core.internal.text.Sentences;
import io.el4ner.core.internal.text.Windows;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the {@link Pipeline} over a whole text: splits it into sentences and sentences too long for a member's
 * context into overlapping windows, recognises the windows in parallel on its own pool, and puts their entities,
 * diagnostics and traces back together in text order (entities found twice in overlapping windows count once).
 */
public final class TextRecognizer implements AutoCloseable {
    private final Pipeline pipeline;
    private final SentenceSplitter splitter;
    private final int windowTokens;
    private final boolean nested;
    private final ExecutorService sentencePool;

    /** What one window produced, with its own ledger so that parallel windows never interleave their reports. */
    private record WindowOutcome(List<Entity> entities, CallLedger ledger, SentenceTrace trace) {
    }

    /**
     * @param pipeline runs each window
     * @param splitter splits texts into sentences
     * @param windowTokens tokens a sentence may take in a prompt before it is windowed; 0 for a quarter of each
     *     member's context
     * @param nested keep overlapping entities
     * @param sentenceParallelism windows of one text recognised at once
     */
    public TextRecognizer(Pipeline pipeline, SentenceSplitter splitter, int windowTokens, boolean nested,
                          int sentenceParallelism) {
        this.pipeline = pipeline;
        this.splitter = splitter;
        this.windowTokens = windowTokens;
        this.nested = nested;
        this.sentencePool = Executors.newFixedThreadPool(sentenceParallelism, Pools.daemonThreads("el4ner-sentence-"));
    }

    /** @return the members' names, in ensemble order */
    public List<String> memberNames() {
        return pipeline.members().stream().map(ModelMember::name).toList();
    }

    /**
     * @param text the text, not blank
     * @param traces receives one trace per sentence or window, in text order; may be null
     * @param progress called after each window; may be null
     * @return the entities, diagnostics and usage
     * @throws io.el4ner.api.EnsembleFailureException when every member failed in a stage of some sentence
     */
    public NerResult recognize(String text, List<SentenceTrace> traces,
                               Consumer<? super RecognitionProgress> progress) {
        long start = System.nanoTime();
        CallLedger ledger = new CallLedger();
        List<TextRange> windows = new ArrayList<>();
        Map<Integer, Diagnostic> windowedNotes = new HashMap<>();
        for (TextRange sentence : Sentences.split(splitter, text)) {
            List<TextRange> ws = Windows.of(text, sentence, pipeline.members(), windowTokens);
            if (ws.size() > 1) {
                windowedNotes.put(windows.size(), new Diagnostic(Diagnostic.Kind.WINDOWED, Stage.PRE_EXTRACTION, "",
                        "a sentence of " + sentence.length() + " characters is longer than a member's context "
                                + "allows; recognised in " + ws.size() + " overlapping windows",
                        "[" + sentence.start() + ", " + sentence.end() + ")"));
            }
            windows.addAll(ws);
        }
        ProgressTracker tracker = progress == null ? null : new ProgressTracker(progress, windows.size(), start);
        List<WindowOutcome> outcomes;
        try {
            outcomes = recognizeWindows(text, windows, traces != null, tracker);
        } finally {
            if (tracker != null) {
                tracker.finish();
            }
        }
        List<Entity> entities = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (windowedNotes.containsKey(i)) {
                ledger.report(windowedNotes.get(i));
            }
            WindowOutcome o = outcomes.get(i);
            ledger.absorb(o.ledger());
            entities.addAll(o.entities());
            if (traces != null) {
                traces.add(o.trace());
            }
        }
        if (!windowedNotes.isEmpty()) {
            entities = mergeWindows(entities, ledger);
        }
        long wall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return new NerResult(text, entities, ledger.diagnostics(), ledger.usage(wall));
    }

    /** Recognises the windows, several at once when there are several; outcomes come back in text order. */
    private List<WindowOutcome> recognizeWindows(String text, List<TextRange> windows, boolean traced,
                                                 ProgressTracker tracker) {
        if (windows.size() == 1) {
            WindowOutcome only = recognizeWindow(text, windows.get(0), traced);
            if (tracker != null) {
                tracker.windowDone();
            }
            return List.of(only);
        }
        // Futures of the pool itself rather than CompletableFuture: cancelling them interrupts the windows still
        // running, so a failed window does not leave the others calling members in the background.
        List<Future<WindowOutcome>> futures = new ArrayList<>(windows.size());
        try {
            for (TextRange w : windows) {
                futures.add(sentencePool.submit(() -> {
                    WindowOutcome o = recognizeWindow(text, w, traced);
                    if (tracker != null) {
                        tracker.windowDone();
                    }
                    return o;
                }));
            }
            List<WindowOutcome> out = new ArrayList<>(windows.size());
            for (Future<WindowOutcome> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new El4nerException("recognising a sentence failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new El4nerException("interrupted while recognising the windows of a long sentence", e);
        } catch (RejectedExecutionException | CancellationException e) {
            futures.forEach(f -> f.cancel(true));
            throw new IllegalStateException("this EnsembleNer was closed while recognising", e);
        }
    }

    private WindowOutcome recognizeWindow(String text, TextRange w, boolean traced) {
        CallLedger ledger = new CallLedger();
        Trace trace = traced ? new Trace() : null;
        String window = text.substring(w.start(), w.end());
        List<Entity> entities = new ArrayList<>();
        for (Entity e : pipeline.run(window, ledger, trace)) {
            entities.add(e.shift(w.start()));
        }
        SentenceTrace st = null;
        if (trace != null) {
            Map<String, List<TextRange>> shifted = new LinkedHashMap<>();
            trace.extracted.forEach((m, ranges) -> shifted.put(m, ranges.stream()
                    .map(r -> new TextRange(r.start() + w.start(), r.end() + w.start())).toList()));
            st = new SentenceTrace(w.start(), window, shifted, trace.labels, trace.decided, trace.rejected);
        }
        return new WindowOutcome(entities, ledger, st);
    }

    /** Entities found twice in overlapping windows count once; then overlaps are resolved as usual. */
    private List<Entity> mergeWindows(List<Entity> entities, CallLedger ledger) {
        Map<String, Entity> unique = new LinkedHashMap<>();
        for (Entity e : entities) {
            unique.merge(e.start() + ":" + e.end() + ":" + e.type(), e,
                    (a, b) -> a.confidence() >= b.confidence() ? a : b);
        }
        List<Entity> out = new ArrayList<>(unique.values());
        if (!nested) {
            out = OverlapResolution.resolve(out, ledger);
        }
        return out;
    }

    /** Stops the windows' pool; windows still queued are cancelled. */
    @Override
    public void close() {
        Pools.shutDownNow(sentencePool);
    }
}
