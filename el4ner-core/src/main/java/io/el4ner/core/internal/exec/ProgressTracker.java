package io.el4ner.core.internal.exec;

import io.el4ner.core.EnsembleNer;
import io.el4ner.core.RecognitionProgress;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports progress to a listener: one call per window, serialised, counts in order, none once the text is done. It
 * logs as {@link EnsembleNer}, whose listener it serves.
 */
public final class ProgressTracker {
    private static final Logger log = LoggerFactory.getLogger(EnsembleNer.class);

    private final Consumer<? super RecognitionProgress> listener;
    private final int total;
    private final long start;
    private int done;
    private boolean finished;

    /**
     * @param listener the caller's listener
     * @param total the windows of the text
     * @param start when recognition started, from {@link System#nanoTime()}
     */
    public ProgressTracker(Consumer<? super RecognitionProgress> listener, int total, long start) {
        this.listener = listener;
        this.total = total;
        this.start = start;
    }

    /** Counts a window as done and tells the listener, unless the text is done or the listener failed. */
    public synchronized void windowDone() {
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

    /** Ends the calls: none happens after this. */
    public synchronized void finish() {
        finished = true;
    }
}
