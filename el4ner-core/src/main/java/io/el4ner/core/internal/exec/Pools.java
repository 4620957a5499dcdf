package io.el4ner.core.internal.exec;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way the engine makes and ends its thread pools: daemon threads named after their job, so that a forgotten
 * ensemble never keeps a JVM alive, and a shut-down pool's dropped tasks cancelled, so that nobody waits for them.
 */
public final class Pools {
    private Pools() {
    }

    /**
     * @param prefix the threads' name, followed by their number (1, 2, …)
     * @return a factory of daemon threads
     */
    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Shuts a pool down now and cancels the tasks it dropped, so that nobody waits for them forever.
     *
     * @param pool the pool
     */
    public static void shutDownNow(ExecutorService pool) {
        cancelQueued(pool.shutdownNow());
    }

    private static void cancelQueued(List<Runnable> dropped) {
        for (Runnable r : dropped) {
            if (r instanceof Future<?> f) {
                f.cancel(false);
            }
        }
    }
}
