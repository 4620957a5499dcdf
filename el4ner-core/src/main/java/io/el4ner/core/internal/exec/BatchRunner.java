package io.el4ner.core.internal.exec;

import io.el4ner.api.El4nerException;
import io.el4ner.core.BatchItem;
import io.el4ner.core.BatchListener;
import io.el4ner.core.BatchProgress;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Runs a batch of texts {@code parallelism} at a time and delivers the items in input order on the calling thread,
 * holding at most {@value #BATCH_WINDOW_FACTOR} texts per unit of parallelism at once (running, or finished and
 * waiting for an earlier text). Each batch has its own pool, shut down when the batch ends.
 */
public final class BatchRunner {
    /**
     * How many texts a batch holds at once per unit of parallelism: running, or finished and waiting for an
     * earlier text to be delivered first.
     */
    public static final int BATCH_WINDOW_FACTOR = 4;

    /** Recognises one text of a batch; never throws for a failed text (its item carries the failure). */
    @FunctionalInterface
    public interface ItemRecognizer {
        /**
         * @param index the text's position in the batch
         * @param text the text, possibly null
         * @return its item
         */
        BatchItem recognize(int index, String text);
    }

    /** A batch task that ended with something other than an item: an {@link Error}, say. */
    private record Unexpected(int index, Throwable cause) {
    }

    private BatchRunner() {
    }

    /**
     * Runs the batch; returns when every text is delivered.
     *
     * @param texts the texts; read lazily on the calling thread, so a large file can be streamed
     * @param parallelism texts recognised at once, {@code >= 1}
     * @param listener receives items and progress on the calling thread
     * @param recognizer makes each text's item
     * @throws IllegalArgumentException if {@code parallelism < 1}
     * @throws El4nerException when a text's task failed unexpectedly, or the calling thread is interrupted
     */
    public static void run(Iterable<String> texts, int parallelism, BatchListener listener,
                           ItemRecognizer recognizer) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(listener, "listener");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        int total = texts instanceof Collection<?> c ? c.size() : -1;
        long window = (long) parallelism * BATCH_WINDOW_FACTOR;
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, Pools.daemonThreads("el4ner-batch-"));
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
                            outcome = recognizer.recognize(i, text);
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

    private static void deliver(BatchItem item, BatchListener listener, int[] done, int total, long start) {
        done[0]++;
        if (item.failure().isPresent()) {
            done[1]++;
        }
        listener.onResult(item);
        listener.onProgress(new BatchProgress(done[0], done[1], total, Duration.ofNanos(System.nanoTime() - start)));
    }
}
