package io.el4ner.eval;

/**
 * A percentile bootstrap confidence interval for micro F1: the sentences are resampled with replacement
 * {@code resamples} times from a {@link java.util.Random} seeded with {@code seed}, so the same report, resample
 * count and seed always give the same interval.
 *
 * @param estimate the micro F1 of the full data (the point estimate)
 * @param low the lower bound: the {@code (1 - confidence) / 2} quantile of the resampled F1 values
 * @param high the upper bound: the {@code (1 + confidence) / 2} quantile of the resampled F1 values
 * @param confidence the confidence level, e.g. 0.95
 * @param resamples how many resamples were drawn
 * @param seed the seed of the resampling
 * @since 0.1
 */
public record BootstrapInterval(double estimate, double low, double high, double confidence, int resamples,
                                long seed) {
    /** The default number of resamples, 1000. */
    public static final int DEFAULT_RESAMPLES = 1000;
    /** The default confidence level, 0.95. */
    public static final double DEFAULT_CONFIDENCE = 0.95;

    /**
     * @param value a value
     * @return whether {@code low <= value <= high}
     */
    public boolean contains(double value) {
        return low <= value && value <= high;
    }
}
