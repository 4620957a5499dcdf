package io.el4ner.eval;

import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The result of one entity-level scoring ({@link Scorer}): micro counts over all entities, the counts of every
 * entity type, macro averages, and what a bootstrap over sentences needs.
 *
 * <p>The types are every type seen in the gold or the predicted entities (a type only predicted has recall 0
 * and F1 0; a type only in gold has precision 0), sorted by Unicode code point, as conlleval prints them. Macro
 * precision, recall and F1 are the unweighted means of the per-type values over those types (macro F1 is the mean
 * of the per-type F1, not the F1 of macro precision and recall); with no type they are 0.
 *
 * @since 0.1
 */
public final class ScoreReport {
    /** Orders type names by Unicode code point (the byte order of their UTF-8 form, like Perl's sort). */
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private final Score micro;
    private final SortedMap<String, Score> types;
    private final int[] sentenceTp;
    private final int[] sentencePredicted;
    private final int[] sentenceGold;

    /**
     * @param types the counts of each type
     * @param sentenceTp true positives attributed to each sentence; the three arrays sum to the micro counts
     * @param sentencePredicted predicted entities of each sentence
     * @param sentenceGold gold entities of each sentence
     */
    ScoreReport(Map<String, Score> types, int[] sentenceTp, int[] sentencePredicted, int[] sentenceGold) {
        TreeMap<String, Score> sorted = new TreeMap<>(CODE_POINT_ORDER);
        sorted.putAll(types);
        this.types = Collections.unmodifiableSortedMap(sorted);
        Score sum = Score.ZERO;
        for (Score s : sorted.values()) {
            sum = sum.plus(s);
        }
        this.micro = sum;
        this.sentenceTp = sentenceTp.clone();
        this.sentencePredicted = sentencePredicted.clone();
        this.sentenceGold = sentenceGold.clone();
        if (sentenceTp.length != sentencePredicted.length || sentenceTp.length != sentenceGold.length) {
            throw new IllegalArgumentException("per-sentence arrays differ in length");
        }
    }

    /** @return the counts over all entities of all types */
    public Score micro() {
        return micro;
    }

    /** @return the counts of each type seen in gold or prediction, sorted by name (unmodifiable) */
    public SortedMap<String, Score> types() {
        return types;
    }

    /** @return the mean of the per-type precision, 0 when there is no type */
    public double macroPrecision() {
        return types.values().stream().mapToDouble(Score::precision).average().orElse(0.0);
    }

    /** @return the mean of the per-type recall, 0 when there is no type */
    public double macroRecall() {
        return types.values().stream().mapToDouble(Score::recall).average().orElse(0.0);
    }

    /** @return the mean of the per-type F1, 0 when there is no type */
    public double macroF1() {
        return types.values().stream().mapToDouble(Score::f1).average().orElse(0.0);
    }

    /** @return the number of sentences the bootstrap resamples */
    public int sentenceCount() {
        return sentenceTp.length;
    }

    /**
     * A 95% percentile bootstrap interval for micro F1.
     *
     * @param resamples the number of resamples, e.g. {@link BootstrapInterval#DEFAULT_RESAMPLES}
     * @param seed the seed; the same seed gives the same interval
     * @return the interval
     * @see #bootstrapMicroF1(int, long, double)
     */
    public BootstrapInterval bootstrapMicroF1(int resamples, long seed) {
        return bootstrapMicroF1(resamples, seed, BootstrapInterval.DEFAULT_CONFIDENCE);
    }

    /**
     * A percentile bootstrap interval for micro F1: {@code resamples} times, draw {@link #sentenceCount()}
     * sentences with replacement ({@link Random} seeded with {@code seed}) and compute the micro F1 of the draw
     * from the summed counts; the bounds are the {@code (1 - confidence) / 2} and {@code (1 + confidence) / 2}
     * quantiles of those values (linear interpolation between order statistics). With no sentence the interval
     * is {@code [0, 0]}.
     *
     * @param resamples the number of resamples, {@code >= 1}
     * @param seed the seed
     * @param confidence the confidence level, strictly between 0 and 1
     * @return the interval
     * @throws IllegalArgumentException if {@code resamples < 1} or the confidence is not in (0, 1)
     */
    public BootstrapInterval bootstrapMicroF1(int resamples, long seed, double confidence) {
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be >= 1, got " + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        double estimate = micro.f1();
        int n = sentenceTp.length;
        if (n == 0) {
            return new BootstrapInterval(estimate, 0.0, 0.0, confidence, resamples, seed);
        }
        Random random = new Random(seed);
        double[] values = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            long tp = 0;
            long predicted = 0;
            long gold = 0;
            for (int k = 0; k < n; k++) {
                int s = random.nextInt(n);
                tp += sentenceTp[s];
                predicted += sentencePredicted[s];
                gold += sentenceGold[s];
            }
            values[r] = Score.f1(tp, predicted, gold);
        }
        Arrays.sort(values);
        double alpha = 1 - confidence;
        return new BootstrapInterval(estimate, quantile(values, alpha / 2), quantile(values, 1 - alpha / 2),
                confidence, resamples, seed);
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoreReport other && types.equals(other.types)
                && Arrays.equals(sentenceTp, other.sentenceTp)
                && Arrays.equals(sentencePredicted, other.sentencePredicted)
                && Arrays.equals(sentenceGold, other.sentenceGold);
    }

    @Override
    public int hashCode() {
        return Objects.hash(types, Arrays.hashCode(sentenceTp));
    }

    @Override
    public String toString() {
        return "ScoreReport[micro=" + micro + ", types=" + types + ", sentences=" + sentenceTp.length + "]";
    }
}
