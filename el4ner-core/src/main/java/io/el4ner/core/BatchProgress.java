package io.el4ner.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How far a batch has got.
 *
 * @param completed texts delivered so far, failed ones included
 * @param failed texts that failed
 * @param total texts in the batch, or -1 when the batch is an {@link Iterable} of unknown size
 * @param elapsed time since the batch started
 * @since 0.1
 */
public record BatchProgress(int completed, int failed, int total, Duration elapsed) {
    /** Validates the components. */
    public BatchProgress {
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** @return texts per second so far */
    public double textsPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s > 0 ? completed / s : 0;
    }
}
