package io.el4ner.core.internal.retrieval;

import java.util.ArrayList;
import io.el4ner.core.internal.exec.Pools;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Splits a scan into parts that run on a small pool of daemon threads (made and ended by {@link Pools}); the
 * calling thread runs one part itself. Thread-safe; several scans may share it.
 */
public final class Parallel implements AutoCloseable {
    /**
     * Below this many multiply-adds (about 1 ms of one core's work) a scan stays on the calling thread. Waking
     * a parked worker and waiting for it costs tens to a hundred microseconds (more in virtual machines); on the
     * development machine a 2-thread scan of the CoNLL-2003 train pool (6.5 million multiply-adds per query) was
     * no faster than a 1-thread one.
     */
    public static final long DEFAULT_MIN_WORK = 1L << 24;

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final long minWork;
    private final ExecutorService executor;

    /**
     * @param threads threads a scan may use, the caller's included; {@code >= 1}
     * @param minWork multiply-adds below which a scan is not split
     */
    public Parallel(int threads, long minWork) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.minWork = minWork;
        if (threads > 1) {
            this.executor = Executors.newFixedThreadPool(threads - 1,
                    Pools.daemonThreads("el4ner-span-sim-" + POOLS.incrementAndGet() + "-"));
        } else {
            this.executor = null;
        }
    }

    /** @param threads threads a scan may use, the caller's included; {@code >= 1} */
    public Parallel(int threads) {
        this(threads, DEFAULT_MIN_WORK);
    }

    /** @return the threads a scan may use */
    public int threads() {
        return threads;
    }

    /**
     * @param work multiply-adds (or comparable units) of a scan
     * @param items how many items it covers
     * @return how many parts to split it into
     */
    public int partsFor(long work, int items) {
        if (threads == 1 || work < minWork) {
            return 1;
        }
        return (int) Math.max(1, Math.min(Math.min(threads, items), work / Math.max(1, minWork / 2)));
    }

    /**
     * @param n items
     * @param parts parts
     * @param p a part
     * @return the first item of part {@code p}; part {@code p} ends where {@code p + 1} starts
     */
    public static int bound(int n, int parts, int p) {
        return (int) ((long) n * p / parts);
    }

    /**
     * Runs {@code part.accept(p)} for every {@code p < parts}, part 0 on the calling thread, and waits for all.
     *
     * @param parts how many parts, {@code <= threads()}
     * @param part the work of one part
     * @throws IllegalStateException if this has been closed
     */
    public void run(int parts, IntConsumer part) {
        if (parts <= 1 || executor == null) {
            for (int p = 0; p < Math.max(parts, 1); p++) {
                part.accept(p);
            }
            return;
        }
        List<Future<?>> futures = new ArrayList<>(parts - 1);
        try {
            for (int p = 1; p < parts; p++) {
                int pp = p;
                futures.add(executor.submit(() -> part.accept(pp)));
            }
        } catch (RejectedExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            throw new IllegalStateException("the span-sim retriever has been closed", e);
        }
        RuntimeException failure = null;
        try {
            part.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (CancellationException e) { // closed while the part waited in the queue
                    if (failure == null) {
                        failure = new IllegalStateException("the span-sim retriever has been closed", e);
                    }
                    break;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (failure == null) {
                        failure = c instanceof RuntimeException re ? re : new IllegalStateException(c);
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            Pools.shutDownNow(executor);
        }
    }
}
