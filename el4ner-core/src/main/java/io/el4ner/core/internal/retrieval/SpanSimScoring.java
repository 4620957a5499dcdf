package io.el4ner.core.internal.retrieval;

import java.util.Arrays;

/**
 * What every scan shares: EL4NER's SpanSim score,
 * <pre>
 *   score(c) = sum_j w_j * max_{v in c} sim(q_j, v) / sum_j w_j
 * </pre>
 * where the {@code q_j} are the query's span vectors with weights {@code w_j > 0} and the {@code v} are the
 * candidate sentence's vectors. A sentence with no vectors scores 0. Ties go to the lower sentence index.
 * Sentences listed in {@code excluded} are skipped.
 *
 * <p>Here live the argument checks, the similarity pass over the whole table, the segmented max and top-k that
 * rank every sentence from it, and the score of a single sentence. The last computes the same sums in the same
 * order as the first three (see {@link ScanKernels}), which is why {@link Int8Scan} and {@link ApproximateScan}
 * can rescore their candidates and return bit-for-bit the scores of {@link ExactScan}.
 */
final class SpanSimScoring {
    /** Sentences per chunk of {@link #rank}. */
    private static final int CHUNK = 1024;

    private SpanSimScoring() {
    }

    /**
     * @param k results wanted
     * @return how many candidates a scan that rescores exactly keeps from its cheaper pass: {@code max(50, 10 k)}
     */
    static int rescoredCandidates(int k) {
        return Math.max(50, 10 * k);
    }

    /**
     * One sentence's exact score, bit-for-bit what {@link ExactScan} computes for it.
     *
     * @param set the pool
     * @param sentence the sentence
     * @param queries query vectors
     * @param weights their weights
     * @return its SpanSim score
     */
    static float score(SegmentedVectors set, int sentence, float[][] queries, float[] weights) {
        float wSum = check(set, queries, weights, 0);
        return exactScore(set, set.table().rows(), sentence, queries, weights, wSum);
    }

    /** The similarities of every query vector to every vector of the table: {@code sims[j][v]}. */
    static void similarities(SegmentedVectors set, float[][] queries, Parallel parallel, float[][] sims) {
        VectorTable table = set.table();
        int n = table.size();
        int q = queries.length;
        float[][] columns = table.columns();
        int parts = parallel.partsFor((long) n * q * table.dimension(), n);
        parallel.run(parts, p -> {
            int lo = Parallel.bound(n, parts, p);
            int hi = Parallel.bound(n, parts, p + 1);
            // One whole pass per query vector: cutting the range into cache-sized blocks visited by every query
            // vector in turn was 15-20% slower on the development machine (short runs defeat the prefetcher).
            for (int j = 0; j < q; j++) {
                ScanKernels.dots(columns, queries[j], sims[j], lo, hi);
            }
        });
    }

    /**
     * Segmented max, weighted mean, top-k, from precomputed similarities ({@code sims[j]} has the padding value 0
     * at index {@code table size}, see {@link SegmentedVectors#slots()}).
     */
    static TopK rank(SegmentedVectors set, float[][] sims, float[] weights, float wSum, int k,
                             int[] excluded, Parallel parallel) {
        int n = set.sentences();
        int[] start = set.starts();
        int[] ids = set.ids();
        int q = sims.length;
        int parts = parallel.partsFor((long) ids.length * q * 16, n);
        TopK[] tops = new TopK[parts];
        int[] slots = set.slots();
        float[] sum = set.borrowSentenceArray();
        try {
            parallel.run(parts, p -> {
                int lo = Parallel.bound(n, parts, p);
                int hi = Parallel.bound(n, parts, p + 1);
                Arrays.fill(sum, lo, hi, 0f);
                TopK top = new TopK(k);
                // In chunks, so that the loops are compiled as methods called often, not only as on-stack
                // replacements of one long-running loop.
                for (int c = lo; c < hi; c += CHUNK) {
                    int e = Math.min(hi, c + CHUNK);
                    for (int j = 0; j < q; j++) {
                        segmentedMax(sims[j], weights[j], slots, start, ids, sum, c, e);
                    }
                    offer(top, sum, c, e, wSum, excluded);
                }
                tops[p] = top;
            });
        } finally {
            set.releaseSentenceArray(sum);
        }
        TopK all = tops[0];
        for (int p = 1; p < parts; p++) {
            all.addAll(tops[p]);
        }
        return all;
    }

    /** {@code sum[i] += w * max of sj over sentence i's vectors}, for {@code i} in {@code [lo, hi)}. */
    private static void segmentedMax(float[] sj, float w, int[] slots, int[] start, int[] ids, float[] sum, int lo,
                                     int hi) {
        // sj[table size] is 0: the padding of sentences without vectors
        for (int i = lo; i < hi; i++) {
            int o = SegmentedVectors.SLOTS * i;
            float m = Math.max(Math.max(sj[slots[o]], sj[slots[o + 1]]), Math.max(sj[slots[o + 2]], sj[slots[o + 3]]));
            int end = start[i + 1];
            for (int x = start[i] + SegmentedVectors.SLOTS; x < end; x++) {
                m = Math.max(m, sj[ids[x]]);
            }
            sum[i] += w * m;
        }
    }

    private static void offer(TopK top, float[] sum, int lo, int hi, float wSum, int[] excluded) {
        for (int i = lo; i < hi; i++) {
            float score = sum[i] / wSum;
            if (top.admits(score) && !contains(excluded, i)) {
                top.offer(score, i);
            }
        }
    }

    /** {@link #score} with the rows and the weight sum already at hand. */
    static float exactScore(SegmentedVectors set, float[] rows, int i, float[][] queries, float[] weights,
                                    float wSum) {
        int[] start = set.starts();
        int[] ids = set.ids();
        float s = 0f;
        int a = start[i];
        int b = start[i + 1];
        if (a < b) {
            for (int j = 0; j < queries.length; j++) {
                float m = ScanKernels.dot(rows, ids[a], queries[j]);
                for (int x = a + 1; x < b; x++) {
                    m = Math.max(m, ScanKernels.dot(rows, ids[x], queries[j]));
                }
                s += weights[j] * m;
            }
        }
        return s / wSum;
    }

    /**
     * Checks a scan's arguments.
     *
     * @return the sum of the weights
     * @throws IllegalArgumentException if {@code k < 0}, a query vector has the wrong dimension, or a weight is
     *     not finite and positive
     */
    static float check(SegmentedVectors set, float[][] queries, float[] weights, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        if (queries.length == 0 || queries.length != weights.length) {
            throw new IllegalArgumentException("need one weight per query vector and at least one query vector, got "
                    + queries.length + " vectors and " + weights.length + " weights");
        }
        int d = set.table().dimension();
        float sum = 0f;
        for (int j = 0; j < queries.length; j++) {
            if (queries[j].length != d) {
                throw new IllegalArgumentException("vector dimensions differ: query vector " + j + " has "
                        + queries[j].length + ", the pool index " + d);
            }
            if (!(weights[j] > 0) || !Float.isFinite(weights[j])) {
                throw new IllegalArgumentException("weights must be finite and > 0, got " + weights[j]);
            }
            sum += weights[j];
        }
        return sum;
    }

    /** Whether the ascending {@code sorted} holds {@code i}. */
    static boolean contains(int[] sorted, int i) {
        if (sorted.length <= 8) {
            for (int x : sorted) {
                if (x == i) {
                    return true;
                }
            }
            return false;
        }
        return Arrays.binarySearch(sorted, i) >= 0;
    }
}
