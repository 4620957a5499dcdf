package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Int8Scan}: agreement with {@link ExactScan}, and exact scores. */
class Int8ScanTest {
    private static final int[] NONE = {};
    @RegisterExtension
    static final TestParallels PARALLELS = new TestParallels();
    private static final Parallel ONE = PARALLELS.one();
    private static final Parallel FOUR = PARALLELS.four();

    @Test
    void search_randomPool_agreesWithExactAndReturnsExactScores() {
        SegmentedVectors set = TestPools.random(11, 4000, 3000, 384, 4, 200);
        int agree = 0;
        int trials = 60;
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < trials; trial++) {
            int q = 1 + r.nextInt(3);
            float[][] queries = TestPools.queries(100 + trial, set, q);
            float[] w = new float[q];
            Arrays.fill(w, 1);
            Hits exact = ExactScan.search(set, queries, w, 5, NONE, ONE);
            Hits int8 = Int8Scan.search(set, queries, w, 5, NONE, FOUR);
            if (int8.equals(exact)) {
                agree++;
            }
            for (int i = 0; i < int8.size(); i++) {
                assertThat(int8.score(i)).isEqualTo(SpanSimScoring.score(set, int8.index(i), queries, w));
            }
        }
        assertThat(agree).isGreaterThanOrEqualTo((int) (0.95 * trials));
    }
}
