package io.el4ner.eval;

/**
 * Entity counts of one scoring: true positives (predicted entities that are in the gold standard), false
 * positives (predicted, not in gold) and false negatives (in gold, not predicted), with precision, recall and F1
 * as fractions in [0, 1]. A ratio whose denominator is 0 is 0.
 *
 * @param tp true positives, {@code >= 0}
 * @param fp false positives, {@code >= 0}
 * @param fn false negatives, {@code >= 0}
 * @since 0.1
 */
public record Score(int tp, int fp, int fn) {
    /** No entity at all: every count and every ratio 0. */
    public static final Score ZERO = new Score(0, 0, 0);

    /**
     * @throws IllegalArgumentException if a count is negative
     */
    public Score {
        if (tp < 0 || fp < 0 || fn < 0) {
            throw new IllegalArgumentException("counts must be >= 0, got tp=" + tp + " fp=" + fp + " fn=" + fn);
        }
    }

    /**
     * The counts from the three numbers conlleval reports.
     *
     * @param correct correctly predicted entities
     * @param predicted predicted entities ("found guessed")
     * @param gold gold entities ("found correct")
     * @return {@code tp = correct, fp = predicted - correct, fn = gold - correct}
     * @throws IllegalArgumentException if {@code correct} exceeds {@code predicted} or {@code gold}
     */
    public static Score of(int correct, int predicted, int gold) {
        return new Score(correct, predicted - correct, gold - correct);
    }

    /** @return the number of predicted entities, {@code tp + fp} */
    public int predicted() {
        return tp + fp;
    }

    /** @return the number of gold entities, {@code tp + fn} */
    public int gold() {
        return tp + fn;
    }

    /** @return {@code tp / (tp + fp)}, 0 when nothing was predicted */
    public double precision() {
        return tp == 0 ? 0.0 : (double) tp / (tp + fp);
    }

    /** @return {@code tp / (tp + fn)}, 0 when there is no gold entity */
    public double recall() {
        return tp == 0 ? 0.0 : (double) tp / (tp + fn);
    }

    /** @return the harmonic mean of precision and recall, {@code 2tp / (2tp + fp + fn)}; 0 when {@code tp} is 0 */
    public double f1() {
        return f1(tp, tp + fp, tp + fn);
    }

    static double f1(long tp, long predicted, long gold) {
        return tp == 0 ? 0.0 : 2.0 * tp / (predicted + gold);
    }

    /**
     * @param other counts to add
     * @return the sum of both
     */
    public Score plus(Score other) {
        return new Score(tp + other.tp, fp + other.fp, fn + other.fn);
    }
}
