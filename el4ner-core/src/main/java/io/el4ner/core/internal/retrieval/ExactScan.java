package io.el4ner.core.internal.retrieval;

/**
 * The exact SpanSim scan ({@link SpanSimScoring}): similarities of every query vector to every distinct pool
 * vector (one pass over the dimension-major table per query vector, split over threads when large), then a
 * branch-free segmented max per sentence ({@link SegmentedVectors#slots()}) and a primitive top-k. The reference
 * for {@link Int8Scan} and {@link ApproximateScan}, and the retriever's default. Thread-safe.
 */
public final class ExactScan {
    private ExactScan() {
    }

    /**
     * The exact scan.
     *
     * @param set the pool
     * @param queries query vectors, each of the table's dimension; at least one
     * @param weights one weight per query vector, each finite and {@code > 0}
     * @param k results wanted, {@code >= 0}
     * @param excluded sentences never returned, ascending
     * @param parallel where to run
     * @return the best {@code k} sentences, best first
     * @throws IllegalArgumentException if a query vector has the wrong dimension or a weight is not positive
     */
    public static Hits search(SegmentedVectors set, float[][] queries, float[] weights, int k, int[] excluded,
                              Parallel parallel) {
        float wSum = SpanSimScoring.check(set, queries, weights, k);
        k = Math.min(k, set.sentences());
        // Reused buffers (here and in rank): a query allocates almost nothing. Fresh arrays of this size cost
        // page faults for as long as the young generation is still being touched for the first time, which made
        // a new index scan about 1.7x slower until the first garbage collection.
        int n = set.table().size();
        float[][] sims = new float[queries.length][];
        try {
            for (int j = 0; j < sims.length; j++) {
                sims[j] = set.borrow();
                sims[j][n] = 0f;
            }
            SpanSimScoring.similarities(set, queries, parallel, sims);
            return SpanSimScoring.rank(set, sims, weights, wSum, k, excluded, parallel).sorted();
        } finally {
            for (float[] a : sims) {
                if (a != null) {
                    set.release(a);
                }
            }
        }
    }
}
