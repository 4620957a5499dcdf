package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpanSimScanTest {
    private static final int[] NONE = {};
    private static final Parallel ONE = new Parallel(1);
    /** Splits even tiny scans, to exercise the merge. */
    private static final Parallel FOUR = new Parallel(4, 1);

    @AfterAll
    static void close() {
        ONE.close();
        FOUR.close();
    }

    // v0 = x, v1 = y, v2 = (0.6, 0.8, 0); s0 = {v0}, s1 = {v1, v2}, s2 = {}, s3 = {v2}
    private static final SegmentedVectors HAND = TestPools.of(
            new float[][] {{1, 0, 0}, {0, 1, 0}, {0.6f, 0.8f, 0}},
            new int[][] {{0}, {1, 2}, {}, {2}});
    private static final float[][] XY = {{1, 0, 0}, {0, 1, 0}};
    private static final float[] W41 = {4, 1};

    @Test
    void exact_weightedMeanOfBestMatches() {
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
    void exact_weightsChangeTheRanking() {
        // with y weighted 4 and x 1: s1 = (0.6 + 4)/5 = 0.92, s3 = (0.6 + 3.2)/5 = 0.76, s0 = 0.2
        Hits h = ExactScan.search(HAND, XY, new float[] {1, 4}, 3, NONE, ONE);
        assertThat(h.indices()).containsExactly(1, 3, 0);
        assertThat(h.score(0)).isCloseTo(0.92f, within(1e-6f));
    }

    @Test
    void exact_tiesGoToTheLowerIndexAndExcludedSentencesNeverAppear() {
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
    void allScans_agreeOnTheHandMadePool() {
        Hits exact = ExactScan.search(HAND, XY, W41, 4, NONE, ONE);
        assertThat(ExactScan.search(HAND, XY, W41, 4, NONE, FOUR)).isEqualTo(exact);
        assertThat(Int8Scan.search(HAND, XY, W41, 4, NONE, ONE)).isEqualTo(exact);
        SegmentedVectors ivf = HAND.withIvf(2, 1, ONE);
        assertThat(ApproximateScan.search(ivf, XY, W41, 4, NONE, 2, 64, ONE)).isEqualTo(exact);
        Hits naive = NaiveScan.search(HAND, XY, W41, 4, NONE);
        assertThat(naive.indices()).containsExactly(exact.indices());
    }

    @Test
    void scans_rejectWrongDimensionsAndWeights() {
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
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 9, 384})
    void dot_isBitForBitTheScan(int d) {
        SplittableRandom r = new SplittableRandom(d);
        int n = 37;
        float[] rows = new float[n * d];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) r.nextGaussian();
        }
        VectorTable table = VectorTable.ofRows(rows, d);
        float[] q = new float[d];
        for (int t = 0; t < d; t++) {
            q[t] = (float) r.nextGaussian();
        }
        float[] out = new float[n];
        ScanKernels.dots(table.columns(), q, out, 0, n);
        float[] part = new float[n];
        ScanKernels.dots(table.columns(), q, part, 5, 30);
        float[] byRows = new float[n];
        ScanKernels.dotRowRange(rows, q, byRows, 0, n);
        float[] picked = new float[n];
        int[] some = {3, 0, 36, 7, 8, 9, 20};
        ScanKernels.dotRows(rows, some, some.length, q, picked);
        for (int v : some) {
            assertThat(picked[v]).isEqualTo(out[v]);
        }
        for (int v = 0; v < n; v++) {
            assertThat(ScanKernels.dot(rows, v, q)).isEqualTo(out[v]);
            assertThat(byRows[v]).isEqualTo(out[v]);
            assertThat(out[v]).isCloseTo(VectorMath.dot(q, table.vector(v)), within(1e-5f * d));
            if (v >= 5 && v < 30) {
                assertThat(part[v]).isEqualTo(out[v]);
            } else {
                assertThat(part[v]).isZero();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 7, 64, 384})
    void exact_matchesTheNaiveScanOnRandomPools(int d) {
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

    @Test
    void int8_agreesWithExactAndReturnsExactScores() {
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

    @Test
    void approximate_findsTheExactTopKOnClusteredData() {
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
    void approximate_probingEveryListIsTheExactScan() {
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

    @Test
    void ivf_isDeterministicWhateverTheThreads() {
        SegmentedVectors set = TestPools.random(8, 3000, 2000, 32, 3, 20);
        SegmentedVectors a = set.withIvf(50, 4, ONE);
        SegmentedVectors b = set.withIvf(50, 4, FOUR);
        assertThat(b.ids()).containsExactly(a.ids());
        assertThat(b.table().rows()).containsExactly(a.table().rows());
    }

    @Test
    void topK_keepsTheBestWithLowerIndexOnTies() {
        SplittableRandom r = new SplittableRandom(1);
        for (int trial = 0; trial < 50; trial++) {
            int k = r.nextInt(12);
            TopK top = new TopK(k);
            List<float[]> all = new ArrayList<>();
            int n = r.nextInt(200);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                order.add(i);
            }
            java.util.Collections.shuffle(order, new java.util.Random(trial));
            for (int i : order) {
                float s = r.nextInt(10) / 10f;
                all.add(new float[] {s, i});
                top.offer(s, i);
            }
            all.sort(Comparator.<float[]>comparingDouble(a -> -a[0]).thenComparingDouble(a -> a[1]));
            Hits h = top.sorted();
            assertThat(h.size()).isEqualTo(Math.min(k, n));
            for (int i = 0; i < h.size(); i++) {
                assertThat(h.index(i)).isEqualTo((int) all.get(i)[1]);
                assertThat(h.score(i)).isEqualTo(all.get(i)[0]);
            }
        }
    }
}
