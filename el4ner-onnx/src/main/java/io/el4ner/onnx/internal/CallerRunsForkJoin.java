package io.el4ner.onnx.internal;

import io.el4ner.api.El4nerException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Runs the tasks of one call on the calling thread and up to {@code parallelism - 1} threads of a pool it owns,
 * whichever is free taking the next task, so that a call never waits for a pool thread busy with another call's work
 * and a pool of one thread fewer than the parallelism suffices. The call returns only once no pool thread works for
 * it any more: the sentence encoder releases its session's lock after the call, and no helper may use the session
 * then. Interrupting the calling thread abandons the tasks not yet begun.
 */
final class CallerRunsForkJoin implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final int parallelism;
    private final ExecutorService pool; // null when parallelism is 1

    /**
     * @param parallelism the most threads one call runs on, the calling thread included
     * @param threadPrefix the names of the pool's daemon threads, numbered after it
     */
    CallerRunsForkJoin(int parallelism, String threadPrefix) {
        this.parallelism = parallelism;
        this.pool = parallelism > 1 ? Executors.newFixedThreadPool(parallelism - 1, runnable -> {
            Thread t = new Thread(runnable, threadPrefix + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /**
     * Runs tasks {@code tasks - 1} down to 0, each once, on the calling thread and the pool's.
     *
     * @param tasks how many tasks
     * @param worker makes, for each thread that takes part, the consumer that runs a task by its index (so that
     *     each thread can keep its own buffers)
     * @param what the call in the message of an interruption, e.g. {@code encoding 12 texts}
     * @throws El4nerException if the calling thread was interrupted (the interrupt status is kept), with the tasks'
     *     failure suppressed in it
     * @throws RuntimeException the first failure of a task (later ones suppressed in it); the other tasks not yet
     *     begun are then abandoned
     */
    void run(int tasks, Supplier<IntConsumer> worker, String what) {
        // Tasks are taken from the last down by whichever thread is free: the calling thread and up to
        // parallelism - 1 pool threads.
        AtomicInteger next = new AtomicInteger(tasks);
        Runnable work = () -> {
            IntConsumer task = worker.get();
            for (int r = next.decrementAndGet(); r >= 0; r = next.decrementAndGet()) {
                task.accept(r);
            }
        };
        int helpers = pool == null ? 0 : Math.min(parallelism, tasks) - 1;
        Helpers gate = new Helpers(next);
        for (int h = 0; h < helpers; h++) {
            pool.execute(() -> gate.run(work));
        }
        Throwable failure = null;
        try {
            work.run();
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(0);
        }
        // An interrupt of the calling thread abandons the tasks not yet started, whether it comes before or while
        // this thread waits for the helpers that have begun (they stop after their current task).
        boolean interrupted = helpers > 0 && Thread.currentThread().isInterrupted();
        if (interrupted) {
            next.set(0);
        }
        interrupted |= gate.closeAndAwait();
        failure = Helpers.merge(failure, gate.failure());
        if (interrupted) {
            Thread.currentThread().interrupt();
            El4nerException e = new El4nerException("interrupted while " + what);
            if (failure != null) {
                e.addSuppressed(failure);
            }
            throw e;
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }

    /** Stops the pool's threads; the calls in progress must have ended. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /**
     * The pool threads helping one call. A helper that starts after the calling thread has finished its share
     * finds the call closed and returns at once, so the caller waits only for helpers that have begun a task (they
     * may be queued behind other calls' work): none of them may still be at work once the call has returned, and
     * none that starts later does anything.
     */
    static final class Helpers {
        private final AtomicInteger next;
        private int active;
        private boolean closed;
        private Throwable failure;

        Helpers(AtomicInteger next) {
            this.next = next;
        }

        /** Runs {@code work} on a pool thread unless the call is over; a failure stops the call's other tasks. */
        void run(Runnable work) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                active++;
            }
            Throwable thrown = null;
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                thrown = e;
                next.set(0);
            } finally {
                synchronized (this) {
                    failure = merge(failure, thrown);
                    if (--active == 0) {
                        notifyAll();
                    }
                }
            }
        }

        /**
         * Lets no further helper begin and waits, uninterruptibly, for those that have.
         *
         * @return whether the calling thread was interrupted while it waited (the tasks not yet begun are then
         *     abandoned)
         */
        synchronized boolean closeAndAwait() {
            closed = true;
            boolean interrupted = false;
            while (active > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                    next.set(0);
                }
            }
            return interrupted;
        }

        synchronized Throwable failure() {
            return failure;
        }

        /** @return the first failure with the later one suppressed in it, or whichever is not null */
        static Throwable merge(Throwable first, Throwable later) {
            if (first == null) {
                return later;
            }
            if (later != null) {
                first.addSuppressed(later);
            }
            return first;
        }
    }
}
