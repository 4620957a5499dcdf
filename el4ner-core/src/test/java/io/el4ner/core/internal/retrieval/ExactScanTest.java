package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ExactScan}, the reference scan: by hand, against {@link NaiveScan}, and the argument checks every scan
 * shares.
 */
class ExactScanTest {
    private static final int[] NONE = {};
    @RegisterExtension
    static final TestParallels PARALLELS = new TestParallels();
    private static final Parallel ONE = PARALLELS.one();
    private static final Parallel FOUR = PARALLELS.four();

    // v0 = x, v1 = y, v2 = (0.6, 0.8, 0); s0 = {v0}, s1 = {v1, v2}, s2 = {}, s3 = {v2}
    private static final SegmentedVectors HAND = TestPools.of(
            new float[][] {{1, 0, 0}, {0, 1, 0}, {0.6f, 0.8f, 0}},
            new int[][] {{0}, {1, 2}, {}, {2}});
    private static final float[][] XY = {{1, 0, 0}, {0, 1, 0}};
    private static final float[] W41 = {4, 1};

    @Test
    void search_handMadePool_weightedMeanOfBestMatches() {
        // s0: (4*1 + 1*0)/5 = 0.8; s1: (4*0.6 + 1*1)/5 = 0.68; s3: (4*0.6 + 1*0.8)/5 = 0.64; s2 has no spans: 0
        Hits h = ExactScan.search(HAND, XY, W41, 4, NONE, ONE);
        assertThat(h.indices()).containsExactly(0, 1, 3, 2);
        assertThat(h.score(0)).isCloseTo(0.8f, within(1e-6f));
        assertThat(h.score(1)).isCloseTo(0.68f, within(1e-6f));
        assertThat(h.score(2)).isCloseTo(0.64f, within(1e-6f));
        assertThat(h.score(3)).isZero();
        assertThat(SpanSimScoring.score(HAND, 1, XY, W41)).isEqualTo(h.score(1));
    }

    @Test
    void search_otherWeights_changeTheRanking() {
        // with y weighted 4 and x 1: s1 = (0.6 + 4)/5 = 0.92, s3 = (0.6 + 3.2)/5 = 0.76, s0 = 0.2
        Hits h = ExactScan.search(HAND, XY, new float[] {1, 4}, 3, NONE, ONE);
        assertThat(h.indices()).containsExactly(1, 3, 0);
        assertThat(h.score(0)).isCloseTo(0.92f, within(1e-6f));
    }

    @Test
    void search_ties_goToTheLowerIndexAndExcludedSentencesNeverAppear() {
        SegmentedVectors twins = TestPools.of(new float[][] {{1, 0}, {0, 1}},
                new int[][] {{1}, {0}, {0}, {1, 0}, {0}});
        Hits h = ExactScan.search(twins, new float[][] {{1, 0}}, new float[] {1}, 5, NONE, ONE);
        assertThat(h.indices()).containsExactly(1, 2, 3, 4, 0);
        Hits without = ExactScan.search(twins, new float[][] {{1, 0}}, new float[] {1}, 3, new int[] {2, 3}, FOUR);
        assertThat(without.indices()).containsExactly(1, 4, 0);
        assertThat(ExactScan.search(twins, new float[][] {{1, 0}}, new float[] {1}, 0, NONE, ONE).size()).isZero();
        assertThat(ExactScan.search(twins, new float[][] {{1, 0}}, new float[] {1}, Integer.MAX_VALUE, NONE, ONE)
                .size()).isEqualTo(5);
        assertThat(Int8Scan.search(twins, new float[][] {{1, 0}}, new float[] {1}, Integer.MAX_VALUE, NONE, ONE)
                .size()).isEqualTo(5);
    }

    @Test
    void search_handMadePool_everyScanAgrees() {
        Hits exact = ExactScan.search(HAND, XY, W41, 4, NONE, ONE);
        assertThat(ExactScan.search(HAND, XY, W41, 4, NONE, FOUR)).isEqualTo(exact);
        assertThat(Int8Scan.search(HAND, XY, W41, 4, NONE, ONE)).isEqualTo(exact);
        SegmentedVectors ivf = HAND.withIvf(2, 1, ONE);
        assertThat(ApproximateScan.search(ivf, XY, W41, 4, NONE, 2, 64, ONE)).isEqualTo(exact);
        Hits naive = NaiveScan.search(HAND, XY, W41, 4, NONE);
        assertThat(naive.indices()).containsExactly(exact.indices());
    }

    @Test
    void search_wrongDimensionsOrWeights_throws() {
        assertThatThrownBy(() -> ExactScan.search(HAND, new float[][] {{1, 0}}, new float[] {1}, 1, NONE, ONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query vector 0 has 2")
                .hasMessageContaining("pool index 3");
        assertThatThrownBy(() -> ExactScan.search(HAND, XY, new float[] {1, 0}, 1, NONE, ONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("> 0");
        assertThatThrownBy(() -> ExactScan.search(HAND, XY, new float[] {1}, 1, NONE, ONE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApproximateScan.search(HAND, XY, W41, 1, NONE, 1, 1, ONE))
                .isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 7, 64, 384})
    void search_randomPools_matchesTheNaiveScan(int d) {
        SegmentedVectors set = TestPools.random(d, 1500, 1200, d, 4, 0);
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 20; trial++) {
            int q = 1 + r.nextInt(4);
            float[][] queries = TestPools.queries(trial, set, q);
            float[] w = new float[q];
            for (int j = 0; j < q; j++) {
                w[j] = 1 + r.nextInt(4);
            }
            int[] excluded = {r.nextInt(1200)};
            Hits exact = ExactScan.search(set, queries, w, 10, excluded, ONE);
            Hits naive = NaiveScan.search(set, queries, w, 10, excluded);
            assertThat(exact.indices()).containsExactly(naive.indices());
            for (int i = 0; i < exact.size(); i++) {
                assertThat(exact.score(i)).isCloseTo(naive.score(i), within(1e-5f));
            }
            assertThat(exact.indices()).doesNotContain(excluded[0]);
            assertThat(ExactScan.search(set, queries, w, 10, excluded, FOUR)).isEqualTo(exact);
        }
    }
}
