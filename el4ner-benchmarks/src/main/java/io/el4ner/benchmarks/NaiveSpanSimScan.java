package io.el4ner.benchmarks;

import io.el4ner.core.internal.retrieval.Hits;
import io.el4ner.core.internal.retrieval.SegmentedVectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The naive SpanSim scan, the baseline of {@link SpanSimilarityScanBenchmark} and {@link SpanSimilarityStudy}:
 * for every sentence, for every query vector, a scalar dot product with each of the sentence's vectors (one
 * accumulator, row-major), then a full sort. No deduplication, one thread, no argument checks. el4ner-core's
 * tests have the same loops as their reference ({@code NaiveScan}); a benchmark cannot use test classes.
 */
final class NaiveSpanSimScan {
    private NaiveSpanSimScan() {
    }

    /**
     * @param set the pool
     * @param queries query vectors
     * @param weights their weights
     * @param k results wanted
     * @param excluded sentences never returned, ascending
     * @return the best {@code k} sentences, best first
     */
    static Hits search(SegmentedVectors set, float[][] queries, float[] weights, int k, int[] excluded) {
        float wSum = 0f;
        for (float w : weights) {
            wSum += w;
        }
        float[] rows = set.table().rows();
        int d = set.table().dimension();
        int[] start = set.starts();
        int[] ids = set.ids();
        List<float[]> scored = new ArrayList<>();
        for (int i = 0; i < set.sentences(); i++) {
            if (Arrays.binarySearch(excluded, i) >= 0) {
                continue;
            }
            float s = 0f;
            if (start[i] < start[i + 1]) {
                for (int j = 0; j < queries.length; j++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int x = start[i]; x < start[i + 1]; x++) {
                        float dot = 0f;
                        int o = ids[x] * d;
                        for (int t = 0; t < d; t++) {
                            dot += queries[j][t] * rows[o + t];
                        }
                        m = Math.max(m, dot);
                    }
                    s += weights[j] * m;
                }
            }
            scored.add(new float[] {s / wSum, i});
        }
        scored.sort((a, b) -> a[0] != b[0] ? Float.compare(b[0], a[0]) : Float.compare(a[1], b[1]));
        int m = Math.min(k, scored.size());
        int[] idx = new int[m];
        float[] sc = new float[m];
        for (int r = 0; r < m; r++) {
            idx[r] = (int) scored.get(r)[1];
            sc[r] = scored.get(r)[0];
        }
        return new Hits(idx, sc);
    }
}
