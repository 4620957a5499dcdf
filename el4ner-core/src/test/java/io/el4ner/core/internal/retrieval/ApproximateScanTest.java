package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ApproximateScan}: recall against {@link ExactScan}, and exact scores. */
class ApproximateScanTest {
    private static final int[] NONE = {};
    @RegisterExtension
    static final TestParallels PARALLELS = new TestParallels();
    private static final Parallel ONE = PARALLELS.one();
    private static final Parallel FOUR = PARALLELS.four();

    @Test
    void search_clusteredData_findsTheExactTopK() {
        SegmentedVectors set = TestPools.random(5, 20_000, 12_000, 128, 3, 100);
        SegmentedVectors ivf = set.withIvf(141, 9, FOUR);
        assertThat(ivf.ivf().lists()).isEqualTo(141);
        double recall = 0;
        int trials = 40;
        for (int trial = 0; trial < trials; trial++) {
            float[][] queries = TestPools.queries(500 + trial, set, 1 + trial % 3);
            float[] w = new float[queries.length];
            Arrays.fill(w, 1);
            Hits exact = ExactScan.search(set, queries, w, 5, NONE, ONE);
            Hits approx = ApproximateScan.search(ivf, queries, w, 5, NONE, 16, ApproximateScan.vectorsPerQuery(5), ONE);
            assertThat(approx.size()).isEqualTo(5);
            long found = Arrays.stream(approx.indices()).filter(i -> Arrays.stream(exact.indices()).anyMatch(e -> e == i))
                    .count();
            recall += found / 5.0;
            for (int i = 0; i < approx.size(); i++) {
                assertThat(approx.score(i)).isEqualTo(SpanSimScoring.score(set, approx.index(i), queries, w));
            }
        }
        assertThat(recall / trials).isGreaterThanOrEqualTo(0.95);
        // the reordered pool still scores every sentence the same
        float[][] q = TestPools.queries(1, set, 2);
        assertThat(ExactScan.search(ivf, q, new float[] {1, 2}, 20, NONE, ONE))
                .isEqualTo(ExactScan.search(set, q, new float[] {1, 2}, 20, NONE, ONE));
    }

    @Test
    void search_everyListProbed_isTheExactScan() {
        SegmentedVectors set = TestPools.random(11, 3000, 2000, 48, 4, 60);
        SegmentedVectors ivf = set.withIvf(40, 3, ONE);
        for (int trial = 0; trial < 30; trial++) {
            float[][] queries = TestPools.queries(900 + trial, set, 1 + trial % 4);
            float[] w = new float[queries.length];
            for (int j = 0; j < w.length; j++) {
                w[j] = 1 + (trial + j) % 3;
            }
            int[] excluded = {trial, 100 + trial};
            Hits exact = ExactScan.search(set, queries, w, 7, excluded, ONE);
            assertThat(ApproximateScan.search(ivf, queries, w, 7, excluded, 40,
                    ApproximateScan.vectorsPerQuery(7), ONE)).as("trial %d", trial).isEqualTo(exact);
        }
    }
}
