package io.el4ner.onnx.internal;

import ai.onnxruntime.OrtException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that decodes for a model: requests from any number of callers are queued, prefilled one by one
 * (from the {@link PrefixCache} where a prefix is stored) and decoded together in one batch, one token per row and
 * step, each row stopping on its own (end token, token limit, cancellation or deadline). A request that arrives while
 * others decode joins the batch at the next step (continuous batching), so concurrent callers share the model's
 * weight reads instead of queueing for them.
 *
 * <p>A request may carry a {@link ConstraintState}: its tokens are then picked among those the constraint allows at
 * each step (the mask is computed on this thread, between the model's steps), and it stops the moment its answer is
 * complete ({@link Finish#COMPLETE}).
 *
 * <p>Bounds: at most {@code maxRows} rows decode at once, and the rows' KV cache, padding included, stays within
 * {@code kvBudgetBytes} (a request waits until it fits; one that could never fit is refused by the caller before it
 * is queued). Requests are answered through their futures; failures are the raw causes
 * ({@link DecoderOutputException}, {@link OrtException}, {@link StoppedException}, {@link DeadlineException}, or an
 * {@link Error} such as an {@link OutOfMemoryError}), which the member maps to its exceptions.
 *
 * <p>Failures, {@link Error}s included, end only the requests they concern, and decoding goes on: a failed prefill
 * fails its request; a failed decode step (or a failure when rows leave the batch) fails the batch's rows and
 * decoding restarts from an empty batch; a failure when rows join fails the joining rows. Errors are logged. Every
 * request taken off the queue is answered, even if the thread itself stops.
 */
public final class DecodingLoop implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Logger log = LoggerFactory.getLogger(DecodingLoop.class);

    private final DecoderEngine engine;
    private final PrefixCache cache;
    private final Set<Long> endTokens;
    private final int pickableIds;
    private final int maxRows;
    private final long kvBudgetBytes;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<DecodeRequest> queue = new ArrayDeque<>(); // guarded by lock
    private boolean closed; // guarded by lock
    private volatile boolean stopping;
    private volatile Throwable died;
    private final String name;
    /**
     * Test hook, null outside tests: called with {@code "prefill"}, {@code "add"}, {@code "step"} and
     * {@code "retain"} before each of those operations of the decoding thread; what it throws is treated as a
     * failure of that operation.
     */
    volatile Consumer<String> faults;

    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong reusedTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicInteger widestBatch = new AtomicInteger();
    private final AtomicLong contextCuts = new AtomicLong();

    /** Why a request stopped. */
    public enum Finish {
        /** The model produced one of the end tokens. */
        END_TOKEN,
        /** The request's token limit was reached. */
        MAX_TOKENS,
        /** The model's context is full. */
        CONTEXT,
        /**
         * The request's constrained answer is complete (its JSON closed): decoding stopped there, without waiting for
         * an end token.
         */
        COMPLETE
    }

    /**
     * A request's result.
     *
     * @param tokens the generated tokens, the end token excluded (a complete constrained answer has none)
     * @param generated the tokens the model generated, the end token included
     * @param reused the prompt tokens whose cache came from the prefix cache
     * @param finish why it stopped
     */
    public record Outcome(long[] tokens, int generated, int reused, Finish finish) {
    }

    /**
     * A request was stopped before it finished: cancelled by its caller, or the loop was closed. (Not a
     * {@code java.util.concurrent.CancellationException}: a future failed with one throws it instead of an {@code ExecutionException}.)
     */
    public static final class StoppedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean closed;

        StoppedException(String message, boolean closed) {
            super(message);
            this.closed = closed;
        }

        /** @return whether the loop was closed, rather than the request cancelled */
        public boolean closed() {
            return closed;
        }
    }

    /** A request passed its deadline while it waited or decoded. */
    public static final class DeadlineException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DeadlineException(String message) {
            super(message);
        }
    }

    /**
     * Starts the decoding thread.
     *
     * @param engine the engine; used by this loop's thread only from now on
     * @param cache the prefix cache
     * @param endTokens the ids that end an answer
     * @param pickableIds the ids the sampler may pick (the tokenizer's)
     * @param maxRows the most rows decoded at once; 1 whatever is given when the model takes no {@code position_ids}
     * @param kvBudgetBytes the most KV cache the batch may hold
     * @param name the model's name, for the thread's name
     */
    public DecodingLoop(DecoderEngine engine, PrefixCache cache, Set<Long> endTokens, int pickableIds, int maxRows,
                        long kvBudgetBytes, String name) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.endTokens = Set.copyOf(endTokens);
        this.pickableIds = pickableIds;
        if (maxRows < 1 || kvBudgetBytes < 1) {
            throw new IllegalArgumentException("maxRows and kvBudgetBytes must be positive");
        }
        // Without position_ids the model numbers a row's tokens from the padded past: only rows alone are right.
        this.maxRows = engine.signature().positionIds() ? maxRows : 1;
        this.kvBudgetBytes = kvBudgetBytes;
        this.name = Objects.requireNonNull(name, "name");
        // A large native stack, as ONNX Runtime's calls may need (see OrtSessions.NATIVE_STACK_BYTES).
        this.thread = new Thread(null, this::run, "el4ner-decoder-" + THREADS.incrementAndGet() + "-" + name,
                OrtSessions.NATIVE_STACK_BYTES);
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the bytes of KV cache one token takes in one row */
    public long bytesPerToken() {
        return engine.signature().bytesPerToken();
    }

    /** @return the most KV cache the batch may hold */
    public long kvBudgetBytes() {
        return kvBudgetBytes;
    }

    /**
     * Queues a request.
     *
     * @param request the request
     * @throws IllegalStateException if the loop is closed, or its thread stopped after an error (named in the
     *     message and the cause)
     */
    public void submit(DecodeRequest request) {
        lock.lock();
        try {
            if (closed) {
                Throwable cause = died;
                throw cause == null ? new IllegalStateException("closed") : new IllegalStateException(
                        "the decoding thread stopped after an error: " + cause, cause);
            }
            queue.add(request);
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counters since the loop started.
     *
     * @param promptTokens prompt tokens of the requests prefilled
     * @param reusedTokens of those, the tokens whose cache came from the prefix cache
     * @param generatedTokens tokens generated
     * @param steps batched decode steps run
     * @param widestBatch the most rows decoded together
     * @param prefixCacheBytes the bytes the prefix cache holds now
     * @param contextCuts requests that stopped because the model's context was full ({@link Finish#CONTEXT})
     */
    public record Stats(long promptTokens, long reusedTokens, long generatedTokens, long steps, int widestBatch,
                        long prefixCacheBytes, long contextCuts) {
    }

    /** @return the counters */
    public Stats stats() {
        return new Stats(promptTokens.get(), reusedTokens.get(), generatedTokens.get(), steps.get(),
                widestBatch.get(), cache.bytes(), contextCuts.get());
    }

    private void run() {
        DecoderEngine.Batch batch = engine.newBatch();
        List<DecodeRequest> rows = new ArrayList<>();
        // Admitted (taken off the queue) but not decoding in the batch yet: failed in finally if the thread stops.
        List<DecodeRequest> inFlight = new ArrayList<>();
        Throwable death = null;
        try {
            while (true) {
                List<DecodeRequest> admitted = admit(rows);
                if (admitted == null) {
                    return;
                }
                inFlight.addAll(admitted);
                List<DecodeRequest> joining = new ArrayList<>();
                List<DecoderEngine.RowKv> joined = new ArrayList<>();
                for (DecodeRequest r : admitted) {
                    DecoderEngine.RowKv kv = prefill(r);
                    if (kv != null) {
                        joining.add(r);
                        joined.add(kv);
                    }
                }
                if (!joined.isEmpty()) {
                    try {
                        fault("add");
                        batch.add(joined); // on failure the batch is unchanged: its rows go on
                        rows.addAll(joining);
                        widestBatch.accumulateAndGet(rows.size(), Math::max);
                    } catch (Throwable t) {
                        fail(joining, t, "joining the batch");
                    }
                }
                inFlight.clear();
                if (rows.isEmpty()) {
                    continue;
                }
                try {
                    rows = step(batch, rows);
                } catch (Throwable t) {
                    // The batch's state is unknown: its rows fail, and decoding goes on with a new, empty batch.
                    fail(rows, t, "a decode step");
                    rows = new ArrayList<>();
                    batch.close();
                    batch = engine.newBatch();
                }
            }
        } catch (Throwable t) {
            death = t;
            died = t;
            log.error("The decoding thread of model '{}' stopped after an error; its calls fail and it takes no more "
                    + "(close the member and create a new one)", name, t);
        } finally {
            batch.close();
            List<DecodeRequest> pending;
            lock.lock();
            try {
                closed = true;
                pending = new ArrayList<>(queue);
                queue.clear();
            } finally {
                lock.unlock();
            }
            Throwable cause = death != null ? death : new StoppedException("the member was closed", true);
            pending.forEach(r -> r.result.completeExceptionally(cause));
            inFlight.forEach(r -> r.result.completeExceptionally(cause));
            rows.forEach(r -> r.result.completeExceptionally(cause));
        }
    }

    /** Runs one decode step for the rows, picks each row's token; returns the rows that go on. */
    private List<DecodeRequest> step(DecoderEngine.Batch batch, List<DecodeRequest> rows) throws OrtException {
        long[] next = new long[rows.size()];
        for (int i = 0; i < next.length; i++) {
            DecodeRequest r = rows.get(i);
            next[i] = r.generated[r.count - 1];
        }
        fault("step");
        float[][] logits = batch.step(next);
        steps.incrementAndGet();
        boolean[] keep = new boolean[rows.size()];
        long now = System.nanoTime();
        for (int i = 0; i < keep.length; i++) {
            DecodeRequest r = rows.get(i);
            if (!r.stillWanted(now)) {
                continue;
            }
            try {
                keep[i] = accept(r, r.pick(logits[i], pickableIds));
            } catch (Throwable t) {
                fail(List.of(r), t, "picking a token");
            }
        }
        fault("retain");
        batch.retain(keep);
        List<DecodeRequest> left = new ArrayList<>(rows.size());
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                left.add(rows.get(i));
            }
        }
        return left;
    }

    /**
     * Fails requests with a failure that concerns only them. An {@link Error} (an {@link OutOfMemoryError} from
     * a KV buffer, say) is logged too, since it says something about the whole process; other failures are the
     * callers' to report.
     */
    private void fail(List<DecodeRequest> requests, Throwable t, String during) {
        if (t instanceof Error) {
            log.error("{} during {} for model '{}': {} call(s) fail, decoding goes on", t.getClass().getSimpleName(),
                    during, name, requests.size(), t);
        }
        for (DecodeRequest r : requests) {
            r.result.completeExceptionally(t);
        }
    }

    /** The test hook: lets a test fail the loop at a named point. */
    private void fault(String point) {
        Consumer<String> f = faults;
        if (f != null) {
            f.accept(point);
        }
    }

    /**
     * Waits for work and takes the queued requests that fit beside the rows decoding.
     *
     * @return the requests to prefill, possibly none; null when the loop is closed
     */
    private List<DecodeRequest> admit(List<DecodeRequest> rows) {
        lock.lock();
        try {
            while (queue.isEmpty() && rows.isEmpty() && !closed) {
                work.awaitUninterruptibly();
            }
            if (closed) {
                return null;
            }
            List<DecodeRequest> out = new ArrayList<>();
            int longest = 0;
            for (DecodeRequest r : rows) {
                longest = Math.max(longest, r.tokenBound());
            }
            int count = rows.size();
            long now = System.nanoTime();
            for (java.util.Iterator<DecodeRequest> it = queue.iterator(); it.hasNext() && count < maxRows; ) {
                DecodeRequest r = it.next();
                if (r.cancelled || r.expired(now)) {
                    it.remove();
                    r.stillWanted(now);
                    continue;
                }
                int bound = Math.max(longest, r.tokenBound());
                if (count > 0 && (count + 1L) * bound * bytesPerToken() > kvBudgetBytes) {
                    break; // waits for rows to finish; first come, first served
                }
                it.remove();
                out.add(r);
                longest = bound;
                count++;
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Prefills a request and picks its first token; returns its cache if it goes on decoding, else null. */
    private DecoderEngine.RowKv prefill(DecodeRequest r) {
        if (!r.stillWanted(System.nanoTime())) {
            return null;
        }
        try {
            fault("prefill");
            PrefixCache.Hit hit = cache.lookup(r.prompt);
            DecoderEngine.Prefilled p = engine.prefill(r.prompt, hit == null ? null : hit.kv(),
                    () -> stopping || r.cancelled || r.expired(System.nanoTime()));
            if (p == null) {
                r.stillWanted(System.nanoTime());
                if (!r.result.isDone()) {
                    r.result.completeExceptionally(new StoppedException("the member was closed", true));
                }
                return null;
            }
            r.reused = hit == null ? 0 : hit.length();
            promptTokens.addAndGet(r.prompt.length);
            reusedTokens.addAndGet(r.reused);
            cache.offer(r.prompt, p.kv());
            return accept(r, r.pick(p.logits(), pickableIds)) ? p.kv() : null;
        } catch (Throwable t) {
            fail(List.of(r), t, "a prefill of " + r.prompt.length + " tokens");
            return null;
        }
    }

    /** Records a generated token; returns whether the request goes on, else completes it. */
    private boolean accept(DecodeRequest r, int token) {
        r.record(token);
        generatedTokens.incrementAndGet();
        Finish finish = r.finish(endTokens);
        if (finish == null) {
            return true;
        }
        if (finish == Finish.CONTEXT) {
            contextCuts.incrementAndGet();
        }
        r.complete(finish);
        return false;
    }

    /**
     * Stops the thread after its current model run; requests not finished fail with a {@link StoppedException}. Waits for the thread, so that nobody uses the session afterwards.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            stopping = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
