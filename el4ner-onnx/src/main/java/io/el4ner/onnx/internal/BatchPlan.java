package io.el4ner.onnx.internal;

import java.util.Arrays;
import java.util.Comparator;

/**
 * How one call of the sentence encoder cuts its texts into model runs: sorted by length, then cut into runs of
 * similar length so that padding (every text of a run is padded to its longest) stays small. Kept apart from the
 * running so that the cut, which decides each text's vector (see the encoder's Batching), can be read and tested on
 * its own.
 */
final class BatchPlan {
    /** Runs a call is cut into at least, texts permitting. */
    private static final int MIN_RUNS = 8;
    /** Texts per run below which a call is not cut further for {@link #MIN_RUNS}. */
    private static final int MIN_RUN = 4;
    /** Padding sub-tokens a run may carry beyond a fifth of its real ones (times 5). */
    private static final int PADDING_SLACK = 5 * 16;

    private final Integer[] order;
    private final int[] bounds;

    private BatchPlan(Integer[] order, int[] bounds) {
        this.order = order;
        this.bounds = bounds;
    }

    /**
     * Plans the runs of one call.
     *
     * @param lengths each text's sub-token count, in the call's order
     * @param batchSize the most texts per run
     * @param alone whether each text is a run of its own
     * @return the plan
     */
    static BatchPlan of(int[] lengths, int batchSize, boolean alone) {
        Integer[] order = new Integer[lengths.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
        int[] sorted = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            sorted[i] = lengths[order[i]];
        }
        // Runs of at least MIN_RUN texts (smaller ones use the cores less well), and at least MIN_RUNS runs when
        // there are texts enough, so that the threads share them evenly and finish together. Not derived from
        // the thread count: a text's vector depends on its run (see Batching), and the same call should give the
        // same vectors on any machine.
        int perRun = alone ? 1 : Math.min(batchSize, Math.max(MIN_RUN, (order.length + MIN_RUNS - 1) / MIN_RUNS));
        return new BatchPlan(order, runs(sorted, perRun));
    }

    /** @return the number of runs */
    int runs() {
        return bounds.length - 1;
    }

    /**
     * @param run a run, {@code 0 <= run < runs()}; runs are ordered from the shortest texts to the longest
     * @return the indices (in the call's order) of the run's texts
     */
    int[] texts(int run) {
        int[] texts = new int[bounds[run + 1] - bounds[run]];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = order[bounds[run] + i];
        }
        return texts;
    }

    /**
     * Splits texts sorted by length into runs of at most {@code batchSize} texts whose padding (every text is
     * padded to the longest of its run) stays within about a fifth of the run's real tokens: one run of 32 short
     * and long sentences together would spend most of its time on padding.
     *
     * @param lengths sub-token counts, ascending
     * @param batchSize the most texts per run
     * @return run boundaries: run {@code r} is {@code [bounds[r], bounds[r + 1])}
     */
    static int[] runs(int[] lengths, int batchSize) {
        int[] bounds = new int[lengths.length + 1];
        int count = 0;
        int from = 0;
        while (from < lengths.length) {
            int to = from + 1;
            long sum = lengths[from];
            while (to < lengths.length && to - from < batchSize) {
                long padded = (long) (to - from + 1) * lengths[to];
                if (padded * 5 > (sum + lengths[to]) * 6 + PADDING_SLACK) {
                    break;
                }
                sum += lengths[to];
                to++;
            }
            bounds[++count] = to;
            from = to;
        }
        return Arrays.copyOf(bounds, count + 1);
    }
}
