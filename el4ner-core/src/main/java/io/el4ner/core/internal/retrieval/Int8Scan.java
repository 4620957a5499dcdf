package io.el4ner.core.internal.retrieval;

/**
 * The int8 SpanSim scan with exact rescoring: the pass of {@link ExactScan} on int8 codes
 * ({@link VectorTable#int8()}) ranks every sentence, and its best {@code max(50, 10 k)}
 * ({@link SpanSimScoring#rescoredCandidates(int)}) are then scored exactly; the returned scores are bit-for-bit
 * those of {@link ExactScan}, but a sentence the int8 pass ranks too low is missed. On Java 17 the int8 pass is scalar and slower than the float
 * pass (see {@link ScanKernels}), so the retriever uses it only when asked ({@code quantize}). Thread-safe.
 */
public final class Int8Scan {
    private Int8Scan() {
    }

    /**
     * The int8 scan with exact rescoring of {@code max(50, 10 k)} candidates.
     *
     * @param set the pool
     * @param queries query vectors
     * @param weights their weights
     * @param k results wanted
     * @param excluded sentences never returned, ascending
     * @param parallel where to run
     * @return the best {@code k} candidates by exact score, best first
     * @throws IllegalArgumentException as {@link ExactScan#search}
     */
    public static Hits search(SegmentedVectors set, float[][] queries, float[] weights, int k, int[] excluded,
                              Parallel parallel) {
        float wSum = SpanSimScoring.check(set, queries, weights, k);
        k = Math.min(k, set.sentences());
        VectorTable table = set.table();
        VectorTable.Int8Codes codes = table.int8();
        int n = table.size();
        int d = table.dimension();
        int q = queries.length;
        int[][] qi = new int[q][d];
        float[] qs = new float[q];
        for (int j = 0; j < q; j++) {
            qs[j] = VectorTable.Int8Codes.quantize(queries[j], qi[j]);
        }
        int[][] acc = new int[q][];
        float[][] sims = new float[q][];
        try {
            for (int j = 0; j < q; j++) {
                acc[j] = set.borrowInts();
                sims[j] = set.borrow();
                sims[j][n] = 0f;
            }
            return scan(set, queries, weights, k, excluded, parallel, codes, qi, qs, acc, sims, wSum);
        } finally {
            for (int j = 0; j < q; j++) {
                if (acc[j] != null) {
                    set.releaseInts(acc[j]);
                }
                if (sims[j] != null) {
                    set.release(sims[j]);
                }
            }
        }
    }

    private static Hits scan(SegmentedVectors set, float[][] queries, float[] weights, int k, int[] excluded,
                             Parallel parallel, VectorTable.Int8Codes codes, int[][] qi, float[] qs, int[][] acc,
                             float[][] sims, float wSum) {
        VectorTable table = set.table();
        int n = table.size();
        int d = table.dimension();
        int q = queries.length;
        float[] scales = codes.scales();
        int parts = parallel.partsFor((long) n * q * d, n);
        parallel.run(parts, p -> {
            int lo = Parallel.bound(n, parts, p);
            int hi = Parallel.bound(n, parts, p + 1);
            for (int j = 0; j < q; j++) {
                dots(codes.codes(), qi[j], acc[j], lo, hi);
                int[] a = acc[j];
                float[] s = sims[j];
                float f = qs[j];
                for (int l = lo; l < hi; l++) {
                    s[l] = a[l] * f * scales[l];
                }
            }
        });
        Hits candidates = SpanSimScoring.rank(set, sims, weights, wSum,
                Math.min(SpanSimScoring.rescoredCandidates(k), set.sentences()), excluded, parallel).sorted();
        float[] rows = table.rows();
        TopK top = new TopK(k);
        for (int r = 0; r < candidates.size(); r++) {
            int i = candidates.index(r);
            top.offer(SpanSimScoring.exactScore(set, rows, i, queries, weights, wSum), i);
        }
        return top.sorted();
    }

    /**
     * The int8 scan: {@code out[v] = sum_t q[t] * codes[t][v]} for {@code v} in {@code [lo, hi)}. Scalar on
     * Java 17: its C2 does not vectorise widening loads ({@code byte} to {@code int}).
     *
     * @param codes the quantised vectors, dimension-major
     * @param q the quantised query, each in {@code [-127, 127]}
     * @param out receives the integer dot products
     * @param lo first vector, inclusive
     * @param hi last vector, exclusive
     */
    private static void dots(byte[][] codes, int[] q, int[] out, int lo, int hi) {
        int d = q.length;
        for (int l = lo; l < hi; l++) {
            out[l] = 0;
        }
        int t = 0;
        for (; t + 4 <= d; t += 4) {
            int a = q[t];
            int b = q[t + 1];
            int c = q[t + 2];
            int e = q[t + 3];
            byte[] x0 = codes[t];
            byte[] x1 = codes[t + 1];
            byte[] x2 = codes[t + 2];
            byte[] x3 = codes[t + 3];
            for (int l = lo; l < hi; l++) {
                out[l] += a * x0[l] + b * x1[l] + c * x2[l] + e * x3[l];
            }
        }
        for (; t < d; t++) {
            int a = q[t];
            byte[] x0 = codes[t];
            for (int l = lo; l < hi; l++) {
                out[l] += a * x0[l];
            }
        }
    }
}
