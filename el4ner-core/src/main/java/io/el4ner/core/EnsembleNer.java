package io.el4ner.core;

import io.el4ner.api.Demonstration;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import io.el4ner.api.Entity;
import io.el4ner.api.EntityType;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.NerResult;
import io.el4ner.api.Provenance;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.AggregatorProvider;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.RetrieverProvider;
import io.el4ner.api.spi.SentenceSplitter;
import io.el4ner.api.spi.Validator;
import io.el4ner.api.spi.ValidatorProvider;
import io.el4ner.core.internal.BreakIteratorSplitter;
import io.el4ner.core.internal.CallLedger;
import io.el4ner.core.internal.MemberInvoker;
import io.el4ner.core.internal.Pipeline;
import io.el4ner.core.internal.Prompts;
import io.el4ner.core.internal.Providers;
import io.el4ner.core.internal.SelfValidator;
import io.el4ner.core.internal.VotingAggregator;
import io.el4ner.core.internal.Windows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recognises named entities with an ensemble of small LLMs, following EL4NER (arXiv 2505.23038):
 * <ol>
 *   <li>pre-extraction: every member lists candidate spans zero-shot (union);</li>
 *   <li>retrieval: the {@link Retriever} picks k demonstrations from the labelled pool using those spans;</li>
 *   <li>extraction: every member lists spans few-shot; the {@link Aggregator} keeps their union (or a quorum);</li>
 *   <li>classification: every member types all candidate spans in one call; weighted vote;</li>
 *   <li>validation: the {@link Validator} (by default the members themselves) keeps or drops each entity.</li>
 * </ol>
 * With no demonstration pool, stages 1–2 are skipped and extraction runs zero-shot.
 *
 * <p>Every entity's offsets are UTF-16 indices into the input and {@code input.substring(start, end)} equals its
 * text: model answers are strings, anchored to their occurrences on token boundaries, and strings found nowhere
 * are dropped and reported in {@link NerResult#diagnostics()}. Long texts are split into sentences (by default
 * with {@link java.text.BreakIterator}) and sentences too long for a member's context into overlapping windows.
 *
 * <p>Instances are immutable and thread-safe. {@link #close()} closes what the ensemble created through providers
 * (members, retriever, aggregator, validator) and its own threads, never instances passed to the builder.
 *
 * @since 0.1
 */
public final class EnsembleNer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EnsembleNer.class);

    private final Pipeline pipeline;
    private final List<ModelMember> members;
    private final SentenceSplitter splitter;
    private final int windowTokens;
    private final boolean nested;
    private final List<AutoCloseable> owned;
    private final ExecutorService ownedExecutor;
    private final ExecutorService sentencePool;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EnsembleNer(Pipeline pipeline, SentenceSplitter splitter, int windowTokens, boolean nested,
                        List<AutoCloseable> owned, ExecutorService ownedExecutor, int sentenceParallelism) {
        this.pipeline = pipeline;
        this.members = pipeline.members();
        this.splitter = splitter;
        this.windowTokens = windowTokens;
        this.nested = nested;
        this.owned = List.copyOf(owned);
        this.ownedExecutor = ownedExecutor;
        this.sentencePool = Executors.newFixedThreadPool(sentenceParallelism, daemonThreads("el4ner-sentence-"));
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the members' names, in ensemble order */
    public List<String> memberNames() {
        return members.stream().map(ModelMember::name).toList();
    }

    /**
     * Recognises the entities of a text. A null, empty or blank text gives an empty result and calls no member.
     *
     * @param text the text; any length (it is split into sentences and windows, never truncated)
     * @return the entities, diagnostics and usage
     * @throws io.el4ner.api.EnsembleFailureException when every member failed in a stage of some sentence
     * @throws IllegalStateException after {@link #close()}
     */
    public NerResult recognize(String text) {
        return run(text, null, null);
    }

    /**
     * Recognises like {@link #recognize(String)} and reports progress after each sentence, so that a caller can show
     * how far a long text has got. The result is the same as {@link #recognize(String)}'s.
     *
     * <p>The listener is called once per sentence (or window of a sentence too long for a member's context), with
     * {@link RecognitionProgress#done()} going 1, 2, &hellip; up to {@link RecognitionProgress#total()}; the call at
     * {@code total} happens before this method returns, and no call happens after it returns or throws. Sentences
     * are recognised in parallel, so the listener is called from any thread (the ensemble's or the caller's), but
     * never by two threads at once: it needs no synchronisation of its own. It should return quickly, since a
     * sentence's thread waits for it. A blank text has no sentences and gives no call. When recognition fails, the
     * last call may be below {@code total}. An exception the listener throws is logged and ends the calls for this
     * text; it changes nothing else.
     *
     * @param text the text; any length
     * @param progress called after each sentence
     * @return the entities, diagnostics and usage
     * @throws io.el4ner.api.EnsembleFailureException when every member failed in a stage of some sentence
     * @throws IllegalStateException after {@link #close()}
     * @throws NullPointerException if {@code progress} is null
     * @since 0.1
     */
    public NerResult recognize(String text, Consumer<? super RecognitionProgress> progress) {
        Objects.requireNonNull(progress, "progress");
        return run(text, null, progress);
    }

    /**
     * Recognises like {@link #recognize(String)} and also returns what each stage produced for each sentence:
     * the material of ablations (each member alone, union only, with vote, with validation) at no extra calls.
     *
     * @param text the text
     * @return the result and one trace per sentence or window
     */
    public TracedResult recognizeTraced(String text) {
        List<SentenceTrace> traces = new ArrayList<>();
        return new TracedResult(run(text, traces, null), traces);
    }

    private NerResult run(String text, List<SentenceTrace> traces, Consumer<? super RecognitionProgress> progress) {
        if (closed.get()) {
            throw new IllegalStateException("this EnsembleNer is closed");
        }
        if (text == null || text.isBlank()) {
            return NerResult.empty(text == null ? "" : text);
        }
        long start = System.nanoTime();
        CallLedger ledger = new CallLedger();
        List<TextRange> windows = new ArrayList<>();
        Map<Integer, Diagnostic> windowedNotes = new HashMap<>();
        for (TextRange sentence : sentences(text)) {
            List<TextRange> ws = Windows.of(text, sentence, members, windowTokens);
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

    /** What one window produced, with its own ledger so that parallel windows never interleave their reports. */
    private record WindowOutcome(List<Entity> entities, CallLedger ledger, SentenceTrace trace) {
    }

    /**
     * Reports progress to a listener: one call per window, serialised, counts in order, none once the text is done.
     */
    private static final class ProgressTracker {
        private final Consumer<? super RecognitionProgress> listener;
        private final int total;
        private final long start;
        private int done;
        private boolean finished;

        ProgressTracker(Consumer<? super RecognitionProgress> listener, int total, long start) {
            this.listener = listener;
            this.total = total;
            this.start = start;
        }

        synchronized void windowDone() {
            if (finished || done == total) {
                return;
            }
            done++;
            try {
                listener.accept(new RecognitionProgress(done, total, Duration.ofNanos(System.nanoTime() - start)));
            } catch (RuntimeException e) {
                finished = true; // one warning per text, not one per sentence
                log.warn("a progress listener failed; recognition goes on without reporting progress", e);
            }
        }

        synchronized void finish() {
            finished = true;
        }
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
        } catch (java.util.concurrent.RejectedExecutionException | java.util.concurrent.CancellationException e) {
            futures.forEach(f -> f.cancel(true));
            throw new IllegalStateException("this EnsembleNer was closed while recognising", e);
        }
    }

    private WindowOutcome recognizeWindow(String text, TextRange w, boolean traced) {
        CallLedger ledger = new CallLedger();
        Pipeline.Trace trace = traced ? new Pipeline.Trace() : null;
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

    private List<TextRange> sentences(String text) {
        List<TextRange> ranges = splitter.split(text);
        int last = 0;
        for (TextRange r : ranges) {
            if (r.start() < last || r.end() > text.length()) {
                throw new El4nerException("sentence splitter " + splitter.getClass().getName()
                        + " returned overlapping or out-of-range sentences: " + ranges);
            }
            for (int i = last; i < r.start(); i++) {
                if (!Character.isWhitespace(text.charAt(i))) {
                    throw new El4nerException("sentence splitter " + splitter.getClass().getName()
                            + " left out non-whitespace text at index " + i + "; it must cover every word");
                }
            }
            last = r.end();
        }
        for (int i = last; i < text.length(); i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                throw new El4nerException("sentence splitter " + splitter.getClass().getName()
                        + " left out non-whitespace text at index " + i + "; it must cover every word");
            }
        }
        return ranges.stream().filter(r -> r.length() > 0).toList();
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
            out = Pipeline.resolveOverlaps(out, ledger);
        }
        return out;
    }

    /**
     * How many texts a batch holds at once per unit of parallelism: running, or finished and waiting for an
     * earlier text to be delivered first.
     */
    static final int BATCH_WINDOW_FACTOR = 4;

    /**
     * Recognises many texts, {@code parallelism} at a time, and hands each result (or failure) to the listener as
     * soon as it and all texts before it are done, so results arrive in input order. A text that fails does not
     * stop the batch: its item carries the failure.
     *
     * <p>A new text starts as soon as any running text finishes, not only the oldest one, so one slow text does not
     * hold the others back. Results that finish ahead of an earlier text wait for it; at most
     * {@code 4 × parallelism} texts are held at once (running or waiting), which bounds the memory a batch takes:
     * only a text still running when the {@code 4 × parallelism - 1} texts after it are done makes new texts wait
     * for it.
     *
     * @param texts the texts; read lazily on the calling thread, so a large file can be streamed
     * @param parallelism texts recognised at once, {@code >= 1}
     * @param listener receives items and progress on the calling thread
     * @throws IllegalArgumentException if {@code parallelism < 1}
     */
    public void recognizeBatch(Iterable<String> texts, int parallelism, BatchListener listener) {
        batch(texts, parallelism, listener, false);
    }

    /**
     * Like {@link #recognizeBatch}, but every item also carries its {@link TracedResult}
     * ({@link BatchItem#traced()}), as {@link #recognizeTraced(String)} gives it.
     *
     * @param texts the texts
     * @param parallelism texts recognised at once, {@code >= 1}
     * @param listener receives items and progress on the calling thread
     */
    public void recognizeBatchTraced(Iterable<String> texts, int parallelism, BatchListener listener) {
        batch(texts, parallelism, listener, true);
    }

    /** A batch task that ended with something other than an item: an {@link Error}, say. */
    private record Unexpected(int index, Throwable cause) {
    }

    private void batch(Iterable<String> texts, int parallelism, BatchListener listener, boolean traced) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(listener, "listener");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        int total = texts instanceof Collection<?> c ? c.size() : -1;
        long window = (long) parallelism * BATCH_WINDOW_FACTOR;
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, daemonThreads("el4ner-batch-"));
        try {
            BlockingQueue<Object> finished = new LinkedBlockingQueue<>();
            Map<Integer, BatchItem> waiting = new HashMap<>();
            Iterator<String> it = texts.iterator();
            int submitted = 0;
            int delivered = 0;
            int running = 0;
            int[] done = {0, 0};
            while (true) {
                // start texts while a thread is free and the window has room; the iterator is asked last, so a
                // lazy source is read no further ahead than needed
                while (running < parallelism && submitted - delivered < window && it.hasNext()) {
                    String text = it.next();
                    int i = submitted++;
                    running++;
                    pool.execute(() -> {
                        Object outcome;
                        try {
                            outcome = recognizeItem(i, text, traced);
                        } catch (Throwable t) {
                            outcome = new Unexpected(i, t);
                        }
                        finished.add(outcome);
                    });
                }
                if (running == 0) {
                    return; // every text started was delivered, and there is no other
                }
                Object next;
                try {
                    next = finished.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new El4nerException("interrupted while recognising a batch", e);
                }
                running--;
                if (next instanceof Unexpected u) {
                    throw new El4nerException("batch item " + u.index() + " failed unexpectedly: " + u.cause(),
                            u.cause());
                }
                BatchItem item = (BatchItem) next;
                waiting.put(item.index(), item);
                for (BatchItem b = waiting.remove(delivered); b != null; b = waiting.remove(delivered)) {
                    delivered++;
                    deliver(b, listener, done, total, start);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private BatchItem recognizeItem(int index, String text, boolean traced) {
        String t = text == null ? "" : text;
        try {
            if (traced) {
                TracedResult r = recognizeTraced(t);
                return new BatchItem(index, t, r.result(), null, r);
            }
            return new BatchItem(index, t, recognize(t), null);
        } catch (El4nerException e) {
            return new BatchItem(index, t, null, e);
        } catch (RuntimeException e) {
            return new BatchItem(index, t, null, new El4nerException("recognising text " + index + " failed: " + e, e));
        }
    }

    private static void deliver(BatchItem item, BatchListener listener, int[] done, int total, long start) {
        done[0]++;
        if (item.failure().isPresent()) {
            done[1]++;
        }
        listener.onResult(item);
        listener.onProgress(new BatchProgress(done[0], done[1], total, Duration.ofNanos(System.nanoTime() - start)));
    }

    /** Closes what the ensemble created. Idempotent. Failures to close are logged, never thrown. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c.getClass().getName(), Redaction.redact(e.toString()));
            }
        }
        if (ownedExecutor != null) {
            cancelQueued(ownedExecutor.shutdownNow());
        }
        cancelQueued(sentencePool.shutdownNow());
    }

    /** Cancels the tasks a shut-down pool dropped, so that nobody waits for them forever. */
    private static void cancelQueued(List<Runnable> dropped) {
        for (Runnable r : dropped) {
            if (r instanceof Future<?> f) {
                f.cancel(false);
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Configures an {@link EnsembleNer}. Not thread-safe. List-valued options add to the list; component choices
     * (retriever, aggregator, validator, executor, sentence splitter) can be set once, and a second call throws
     * {@link IllegalStateException}. {@link #build()} checks the whole configuration and may be called more than
     * once.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final List<Object> members = new ArrayList<>();
        private final List<EntityType> types = new ArrayList<>();
        private final List<Demonstration> pool = new ArrayList<>();
        private final Map<Stage, PromptTemplate> prompts = new EnumMap<>(Stage.class);
        private final Map<String, Double> weights = new LinkedHashMap<>();
        private Object retriever;
        private Object aggregator;
        private Object validator;
        private Executor executor;
        private SentenceSplitter splitter;
        private int k = 5;
        private int quorum = 1;
        private ValidationMode validation = ValidationMode.SINGLE;
        private String verifier;
        private boolean skipUnanimous;
        private boolean nested;
        private int maxConcurrentCalls = 16;
        private int sentenceParallelism = 4;
        private Duration timeout = Duration.ofSeconds(120);
        private int windowTokens;
        private ClassLoader classLoader;
        private java.nio.file.Path baseDirectory;

        /** A component to create through a provider. Parameters may hold secrets: never printed. */
        private record Named(String provider, Map<String, Object> parameters) {
            @Override
            public String toString() {
                return "provider '" + provider + "'";
            }
        }

        private Builder() {
        }

        /**
         * Adds a member instance. The ensemble does not close it.
         *
         * @param member a member; its name must be unique in the ensemble
         * @return this builder
         */
        public Builder member(ModelMember member) {
            members.add(Objects.requireNonNull(member, "member"));
            return this;
        }

        /**
         * Adds a member created at {@link #build()} by the {@link ModelMemberProvider} of that name; the ensemble
         * closes it.
         *
         * @param provider the provider's name
         * @param parameters the member's parameters
         * @return this builder
         */
        public Builder member(String provider, Map<String, ?> parameters) {
            members.add(new Named(Objects.requireNonNull(provider, "provider"), Map.copyOf(parameters)));
            return this;
        }

        /**
         * @param members member instances to add
         * @return this builder
         */
        public Builder members(Collection<? extends ModelMember> members) {
            members.forEach(this::member);
            return this;
        }

        /**
         * Adds an entity type of the label set (at least one is required).
         *
         * @param name the label
         * @param description what belongs to the type; shown to the models
         * @return this builder
         */
        public Builder entityType(String name, String description) {
            return entityType(new EntityType(name, description));
        }

        /**
         * @param type an entity type to add
         * @return this builder
         */
        public Builder entityType(EntityType type) {
            types.add(Objects.requireNonNull(type, "type"));
            return this;
        }

        /**
         * @param types entity types to add
         * @return this builder
         */
        public Builder entityTypes(Collection<EntityType> types) {
            types.forEach(this::entityType);
            return this;
        }

        /**
         * Adds labelled sentences to the demonstration pool. Without a pool the pipeline runs zero-shot.
         *
         * @param demonstrations labelled sentences; their types must be in the label set
         * @return this builder
         */
        public Builder demonstrations(Collection<Demonstration> demonstrations) {
            demonstrations.forEach(d -> pool.add(Objects.requireNonNull(d, "demonstration")));
            return this;
        }

        /**
         * @param k demonstrations per sentence, {@code >= 0}; default 5
         * @return this builder
         */
        public Builder demonstrationCount(int k) {
            if (k < 0) {
                throw new IllegalArgumentException("demonstration count must be >= 0, got " + k);
            }
            this.k = k;
            return this;
        }

        /**
         * @param retriever the retriever; default: the highest-priority {@link RetrieverProvider} found (or the
         *     one named by {@code -Del4ner.retriever}), used only when there is a pool
         * @return this builder
         */
        public Builder retriever(Retriever retriever) {
            this.retriever = once(this.retriever, Objects.requireNonNull(retriever, "retriever"), "retriever");
            return this;
        }

        /**
         * @param provider a {@link RetrieverProvider}'s name, e.g. {@code token-overlap}
         * @param parameters its parameters
         * @return this builder
         */
        public Builder retriever(String provider, Map<String, ?> parameters) {
            this.retriever = once(this.retriever, new Named(provider, Map.copyOf(parameters)), "retriever");
            return this;
        }

        /**
         * @param aggregator the aggregator; default {@code voting}, configured by {@link #extractionQuorum} and
         *     {@link #memberWeights}, which cannot be combined with an explicit aggregator
         * @return this builder
         */
        public Builder aggregator(Aggregator aggregator) {
            this.aggregator = once(this.aggregator, Objects.requireNonNull(aggregator, "aggregator"), "aggregator");
            return this;
        }

        /**
         * @param provider an {@link AggregatorProvider}'s name
         * @param parameters its parameters
         * @return this builder
         */
        public Builder aggregator(String provider, Map<String, ?> parameters) {
            this.aggregator = once(this.aggregator, new Named(provider, Map.copyOf(parameters)), "aggregator");
            return this;
        }

        /**
         * @param m members that must propose a span for it to be kept; 1 (default) is the union
         * @return this builder
         */
        public Builder extractionQuorum(int m) {
            if (m < 1) {
                throw new IllegalArgumentException("extraction quorum must be >= 1, got " + m);
            }
            this.quorum = m;
            return this;
        }

        /**
         * @param weights classification vote weights by member name (e.g. learned on a dev set); default 1 each
         * @return this builder
         */
        public Builder memberWeights(Map<String, Double> weights) {
            this.weights.putAll(weights);
            return this;
        }

        /**
         * Sets EL4NER's self-validation. Default {@link ValidationMode#SINGLE} with the first member as verifier.
         *
         * @param mode who validates
         * @return this builder
         */
        public Builder validation(ValidationMode mode) {
            this.validation = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * @param memberName the verifier of {@link ValidationMode#SINGLE} validation
         * @return this builder
         */
        public Builder verifier(String memberName) {
            this.verifier = Objects.requireNonNull(memberName, "memberName");
            return this;
        }

        /**
         * @param skip skip validating entities that every member proposed and labelled alike, to save calls;
         *     default false
         * @return this builder
         */
        public Builder skipValidationWhenUnanimous(boolean skip) {
            this.skipUnanimous = skip;
            return this;
        }

        /**
         * Replaces self-validation with a validator of your own. The ensemble does not close it.
         *
         * @param validator the validator
         * @return this builder
         */
        public Builder validator(Validator validator) {
            this.validator = once(this.validator, Objects.requireNonNull(validator, "validator"), "validator");
            return this;
        }

        /**
         * @param provider a {@link ValidatorProvider}'s name, e.g. {@code self}
         * @param parameters its parameters
         * @return this builder
         */
        public Builder validator(String provider, Map<String, ?> parameters) {
            this.validator = once(this.validator, new Named(provider, Map.copyOf(parameters)), "validator");
            return this;
        }

        /**
         * @param template replaces the built-in prompt of its stage
         * @return this builder
         */
        public Builder prompt(PromptTemplate template) {
            prompts.put(template.stage(), template);
            return this;
        }

        /**
         * @param executor runs member calls; default: an own pool of daemon threads, shut down on close
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = once(this.executor, Objects.requireNonNull(executor, "executor"), "executor");
            return this;
        }

        /**
         * @param n member calls in flight at once, across all recognitions, {@code >= 1}; default 16
         * @return this builder
         */
        public Builder maxConcurrentCalls(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConcurrentCalls must be >= 1, got " + n);
            }
            this.maxConcurrentCalls = n;
            return this;
        }

        /**
         * @param directory the directory that relative file paths in provider parameters (an index file, a
         *     recording, a model directory, …) are resolved against, as {@link ComponentConfig#path(String)}
         *     does; the CLI passes its configuration file's folder. Default: the current directory
         * @return this builder
         */
        public Builder baseDirectory(java.nio.file.Path directory) {
            this.baseDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * @param n sentences of one text recognised at once, {@code >= 1}; default 4. Results never depend on
         *     the order they finish in.
         * @return this builder
         */
        public Builder sentenceParallelism(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("sentenceParallelism must be >= 1, got " + n);
            }
            this.sentenceParallelism = n;
            return this;
        }

        /**
         * @param timeout deadline of one member call; default 120 s. A member that misses it counts as failed.
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * @param splitter splits texts into sentences; default {@link java.text.BreakIterator} (root locale)
         * @return this builder
         */
        public Builder sentenceSplitter(SentenceSplitter splitter) {
            this.splitter = once(this.splitter, Objects.requireNonNull(splitter, "splitter"), "sentence splitter");
            return this;
        }

        /**
         * @param tokens tokens a sentence may take in a prompt before it is windowed; default 0, meaning a quarter
         *     of each member's {@link ModelMember#contextTokens()}
         * @return this builder
         */
        public Builder windowTokens(int tokens) {
            if (tokens < 0) {
                throw new IllegalArgumentException("windowTokens must be >= 0, got " + tokens);
            }
            this.windowTokens = tokens;
            return this;
        }

        /**
         * @param allow keep overlapping entities (for nested label sets); default false: of overlapping
         *     entities the most confident, then the longest, is kept and the others are reported
         * @return this builder
         */
        public Builder nestedEntities(boolean allow) {
            this.nested = allow;
            return this;
        }

        /**
         * Configures the {@linkplain DefaultEnsemble default ensemble}: its entity types, its three members (the
         * {@code onnx} provider of module el4ner-onnx, which downloads their models from the Hugging Face Hub into
         * the Hugging Face cache on first use), its demonstration pool, the {@code span-sim} retriever and
         * self-validation. Settings made afterwards add to it (more entity types, members, demonstrations) or replace
         * it where they may be set again (validation, timeouts); the retriever, which may be set once, cannot be
         * changed afterwards (a second call is an {@link IllegalStateException}).
         *
         * @return this builder
         * @see DefaultEnsemble
         */
        public Builder defaultEnsemble() {
            return DefaultEnsemble.configure(this, DefaultEnsemble.Member::parameters);
        }

        /**
         * @param loader where providers are looked up; default the thread's context class loader, else el4ner's
         * @return this builder
         */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * Builds the ensemble: creates provider-made components and checks the configuration. Every problem is
         * reported at once: first those of the builder's own settings (then no component is created), else those
         * found while creating the components (each provider's complaints, member names, weights, the verifier).
         *
         * @return a new ensemble
         * @throws El4nerConfigurationException listing in {@link El4nerConfigurationException#problems()} every
         *     problem found: an unknown provider, a provider's rejected parameters, no member, duplicate member
         *     names, no entity type, a demonstration with a type outside the label set, weights or a verifier
         *     naming no member, or options that cannot be combined; the components already created are closed
         */
        public EnsembleNer build() {
            List<String> problems = new ArrayList<>();
            if (types.isEmpty()) {
                problems.add("no entity types: add at least one with entityType(name, description)");
            }
            Set<String> typeNames = new HashSet<>();
            for (EntityType t : types) {
                boolean reserved = Provenance.NOT_AN_ENTITY.equalsIgnoreCase(t.name());
                if (!typeNames.add(t.name()) || reserved) {
                    problems.add("entity type '" + t.name() + "' is "
                            + (reserved ? "reserved for 'not an entity'" : "given twice"));
                }
            }
            for (Demonstration d : pool) {
                for (LabeledSpan s : d.spans()) {
                    if (!typeNames.contains(s.type())) {
                        problems.add("a demonstration uses type '" + s.type() + "', which is not in the label set "
                                + new java.util.TreeSet<>(typeNames) + ": " + d.text());
                    }
                }
            }
            if (members.isEmpty()) {
                problems.add("no members: add at least one with member(...)");
            }
            if (aggregator != null && (quorum != 1 || !weights.isEmpty())) {
                problems.add("extractionQuorum and memberWeights configure the default aggregator; pass them to "
                        + "your aggregator instead");
            }
            if (validator != null && (verifier != null || validation != ValidationMode.SINGLE)) {
                problems.add("validation(...) and verifier(...) configure self-validation; they cannot be combined "
                        + "with validator(...)");
            }
            if (!problems.isEmpty()) {
                throw new El4nerConfigurationException(problems);
            }
            ClassLoader loader = classLoader != null ? classLoader
                    : Optional.ofNullable(Thread.currentThread().getContextClassLoader())
                    .orElse(EnsembleNer.class.getClassLoader());
            List<AutoCloseable> owned = new ArrayList<>();
            try {
                return assemble(loader, owned);
            } catch (RuntimeException e) {
                for (AutoCloseable c : owned) {
                    try {
                        c.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }

        /**
         * Creates the components, collecting configuration problems rather than stopping at the first: a component
         * that cannot be created is left out, and the others are still created so that their problems are found too.
         */
        private EnsembleNer assemble(ClassLoader loader, List<AutoCloseable> owned) {
            List<String> problems = new ArrayList<>();
            List<ModelMember> built = new ArrayList<>();
            Set<String> names = new HashSet<>();
            List<String> memberNames = new ArrayList<>();
            boolean allNamesKnown = true;
            for (int i = 0; i < members.size(); i++) {
                Object spec = members.get(i);
                ModelMember m;
                if (spec instanceof Named n) {
                    try {
                        m = Providers.byName(ModelMemberProvider.class, n.provider(), loader)
                                .create(config("member #" + (i + 1) + " (" + n.provider() + ")", n.parameters()));
                    } catch (El4nerConfigurationException e) {
                        problems.addAll(e.problems());
                        // its name, when the configuration gives it, still counts for the weights and the verifier
                        if (n.parameters().get("name") instanceof String given && !given.isBlank()
                                && names.add(given)) {
                            memberNames.add(given);
                        } else {
                            allNamesKnown = false;
                        }
                        continue;
                    }
                    if (m == null) {
                        problems.add("provider '" + n.provider() + "' created no member");
                        allNamesKnown = false;
                        continue;
                    }
                    owned.add(m);
                } else {
                    m = (ModelMember) spec;
                }
                if (m.name() == null || m.name().isBlank()) {
                    problems.add("member #" + (i + 1) + " has no name");
                    allNamesKnown = false;
                    continue;
                }
                if (!names.add(m.name())) {
                    problems.add("two members are named '" + m.name() + "'; member names must be unique");
                } else {
                    memberNames.add(m.name());
                }
                built.add(m);
            }
            if (allNamesKnown) {
                for (String w : weights.keySet()) {
                    if (!names.contains(w)) {
                        problems.add("memberWeights names '" + w + "', which is not a member; members: "
                                + memberNames);
                    }
                }
                if (validator == null && validation != ValidationMode.NONE && verifier != null
                        && !names.contains(verifier)) {
                    problems.add("verifier '" + verifier + "' is not a member; members: " + memberNames);
                }
            }

            Optional<Retriever> r = Optional.empty();
            if (!pool.isEmpty() && k > 0) {
                if (retriever instanceof Retriever given) {
                    r = Optional.of(given);
                } else {
                    Named n = (Named) retriever;
                    try {
                        RetrieverProvider p = n != null
                                ? Providers.byName(RetrieverProvider.class, n.provider(), loader)
                                : Providers.single(RetrieverProvider.class, "el4ner.retriever", loader);
                        Retriever created = p.create(config("retriever " + p.name(),
                                n != null ? n.parameters() : Map.of()));
                        owned.add(created);
                        r = Optional.of(created);
                    } catch (El4nerConfigurationException e) {
                        problems.addAll(e.problems());
                    }
                }
            } else if (retriever != null) {
                log.warn("a retriever is configured but there is no demonstration pool (or k = 0): it is not used");
            }

            Aggregator a = null;
            if (aggregator instanceof Aggregator given) {
                a = given;
            } else {
                Named n = (Named) aggregator;
                if (n == null && System.getProperty("el4ner.aggregator") == null) {
                    a = new VotingAggregator(quorum, weights);
                } else {
                    try {
                        AggregatorProvider p = n != null
                                ? Providers.byName(AggregatorProvider.class, n.provider(), loader)
                                : Providers.single(AggregatorProvider.class, "el4ner.aggregator", loader);
                        a = p.create(config("aggregator " + p.name(), n != null ? n.parameters() : Map.of()));
                        owned.add(a);
                    } catch (El4nerConfigurationException e) {
                        problems.addAll(e.problems());
                    }
                }
            }

            Prompts p = new Prompts(prompts);
            Optional<Validator> v = Optional.empty();
            if (validator instanceof Validator given) {
                v = Optional.of(given);
            } else if (validator instanceof Named n) {
                try {
                    Validator created = Providers.byName(ValidatorProvider.class, n.provider(), loader)
                            .create(config("validator " + n.provider(), n.parameters()));
                    owned.add(created);
                    v = Optional.of(created instanceof SelfValidator sv ? sv.withPrompts(p) : created);
                } catch (El4nerConfigurationException e) {
                    problems.addAll(e.problems());
                }
                if (allNamesKnown && v.isPresent() && v.get() instanceof SelfValidator sv
                        && sv.verifier().isPresent() && !names.contains(sv.verifier().get())) {
                    problems.add("verifier '" + sv.verifier().get() + "' is not a member; members: " + memberNames);
                }
            } else if (validation == ValidationMode.NONE) {
                if (verifier != null) {
                    problems.add("a verifier is set but validation is NONE");
                }
            } else {
                v = Optional.of(new SelfValidator(validation, Optional.ofNullable(verifier), p));
            }
            if (!problems.isEmpty()) {
                throw new El4nerConfigurationException(problems);
            }

            ExecutorService ownedExecutor = null;
            Executor exec = executor;
            if (exec == null) {
                ownedExecutor = Executors.newCachedThreadPool(daemonThreads("el4ner-call-"));
                exec = ownedExecutor;
            }
            Pipeline pipeline = new Pipeline(built, types, r, k, a, v, skipUnanimous, nested, p,
                    new MemberInvoker(exec, maxConcurrentCalls, timeout));
            if (log.isDebugEnabled()) {
                log.debug("built an ensemble of {} members {}; prompts {}", built.size(), memberNames,
                        java.util.Arrays.stream(Stage.values()).map(s -> s + "=" + p.template(s).version()).toList());
            }
            return new EnsembleNer(pipeline, splitter != null ? splitter : new BreakIteratorSplitter(Locale.ROOT),
                    windowTokens, nested, owned, ownedExecutor, sentenceParallelism);
        }

        private ComponentConfig config(String component, Map<String, Object> parameters) {
            return new ComponentConfig(component, parameters, types, pool, baseDirectory);
        }

        private static <T> T once(T current, T value, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set; it can be set once");
            }
            return value;
        }
    }
}
