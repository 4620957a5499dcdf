package io.el4ner.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How far the recognition of one text has got, as reported to the listener of
 * {@link EnsembleNer#recognize(String, java.util.function.Consumer)}.
 *
 * <p>The unit is the sentence; a sentence too long for a member's context is recognised in overlapping windows and
 * counts once per window, so {@code total} is the number of sentences and windows the text was split into.
 *
 * @param done sentences recognised so far, {@code 1..total}
 * @param total sentences (and windows) in the text, {@code >= 1}
 * @param elapsed time since the recognition of the text started
 * @since 0.1
 */
public record RecognitionProgress(int done, int total, Duration elapsed) {
    /** Validates the components. */
    public RecognitionProgress {
        Objects.requireNonNull(elapsed, "elapsed");
        if (done < 1 || done > total) {
            throw new IllegalArgumentException("need 1 <= done <= total, got " + done + "/" + total);
        }
    }

    /** @return sentences per second so far; 0 when no time has passed */
    public double sentencesPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s > 0 ? done / s : 0;
    }

    /** @return the time the remaining sentences should take at the rate so far; zero when every one is done */
    public Duration remaining() {
        if (done == total) {
            return Duration.ZERO;
        }
        return Duration.ofNanos((long) ((double) elapsed.toNanos() / done * (total - done)));
    }
}
