package io.el4ner.core.internal.retrieval;

/**
 * The approximate SpanSim search: an {@link IvfIndex} over the pool's vectors picks candidate sentences, which
 * are then scored exactly, so returned scores are bit-for-bit those of {@link ExactScan}, but a sentence that is
 * not a candidate is missed. What makes large pools fast: the retriever uses it above
 * {@link SpanSimOptions#AUTO_APPROXIMATE_ABOVE} sentences, or when asked. Thread-safe.
 */
public final class ApproximateScan {
    private ApproximateScan() {
    }

    /**
     * @param k results wanted
     * @return how many of the most similar vectors, per query vector, the approximate search takes its
     *     candidate sentences from: {@code max(40, 8 k)}
     */
    public static int vectorsPerQuery(int k) {
        return Math.max(40, 8 * k);
    }

    /**
     * The approximate search. For each query vector, probe the {@code probes} nearest IVF lists (the
     * similarities of every vector in them are computed, from the row-major copy, where a list is one contiguous
     * block). Candidates are (1) the sentences owning one of the {@code vectorsPerQuery} most similar vectors
     * found, per query vector (what decides when a query span matches a frequent pool span exactly and the
     * other spans break the tie), and (2) the {@link SpanSimScoring#rescoredCandidates(int)} best of all sentences
     * owning a probed vector, by a score estimated from the probed similarities alone, a query vector without a probed match in
     * the sentence counting with the lowest similarity probed (what decides when several moderately similar
     * spans add up). Every candidate is then scored exactly (the similarities the probed lists did not give are
     * computed), so the returned scores are bit-for-bit those of {@link ExactScan}; only a sentence that is no
     * candidate can be missed. Falls back to the exact scan when fewer than {@code k} candidates are found (tiny
     * pools, or pools where most sentences have no vectors).
     *
     * @param set the pool; must have an {@link IvfIndex}
     * @param queries query vectors
     * @param weights their weights
     * @param k results wanted
     * @param excluded sentences never returned, ascending
     * @param probes lists probed per query vector, {@code >= 1}
     * @param vectorsPerQuery vectors whose sentences become candidates, per query vector, {@code >= 1}
     * @param parallel where to run the exact fallback
     * @return the best {@code k} candidates by exact score, best first
     * @throws IllegalArgumentException as {@link ExactScan#search}
     * @throws IllegalStateException if the pool has no approximate index
     */
    public static Hits search(SegmentedVectors set, float[][] queries, float[] weights, int k, int[] excluded,
                              int probes, int vectorsPerQuery, Parallel parallel) {
        float wSum = SpanSimScoring.check(set, queries, weights, k);
        k = Math.min(k, set.sentences());
        IvfIndex ivf = set.ivf();
        if (ivf == null) {
            throw new IllegalStateException("this pool has no approximate index");
        }
        if (k == 0) {
            return new TopK(0).sorted();
        }
        VectorTable table = set.table();
        float[] rows = table.rows();
        int[][] inverse = set.inverse();
        int[] vecStart = inverse[0];
        int[] vecSentences = inverse[1];
        int[] listOf = ivf.listOf();
        int[] start = set.starts();
        int[] ids = set.ids();
        int q = queries.length;
        float[][] sims = new float[q][];
        boolean[][] probed = new boolean[q][ivf.lists()];
        IntList candidates = new IntList();
        // sized for every probed vector's sentences (lists are of similar sizes), so that it rarely grows
        long expected = Math.min(set.sentences(), (long) q * Math.min(probes, ivf.lists())
                * (table.size() / Math.max(1, ivf.lists()) + 1) * Math.max(1, ids.length / Math.max(1, table.size())));
        SentenceMaxima seen = set.borrowMaxima().reset(q, (int) Math.min(1 << 26, 2 * expected + 16));
        float[] floor = new float[q];
        try {
            for (int j = 0; j < q; j++) {
                float[] qj = queries[j];
                float[] buf = set.borrow();
                sims[j] = buf;
                TopK best = new TopK(Math.min(vectorsPerQuery, table.size()));
                float low = Float.POSITIVE_INFINITY;
                for (int list : ivf.probe(qj, probes)) {
                    probed[j][list] = true;
                    int a = ivf.listStart(list);
                    int b = ivf.listStart(list + 1);
                    ScanKernels.dotRowRange(rows, qj, buf, a, b);
                    for (int v = a; v < b; v++) {
                        float x = buf[v];
                        low = Math.min(low, x);
                        if (best.admits(x)) {
                            best.offer(x, v);
                        }
                        for (int y = vecStart[v]; y < vecStart[v + 1]; y++) {
                            seen.max(vecSentences[y], j, x);
                        }
                    }
                }
                floor[j] = low == Float.POSITIVE_INFINITY ? -1f : low;
                // candidates of the first kind: every sentence of the best vectors
                for (int v : best.indicesUnordered()) {
                    for (int x = vecStart[v]; x < vecStart[v + 1]; x++) {
                        candidates.add(vecSentences[x]);
                    }
                }
            }
            // of the second kind: the best estimates from partial information (a query vector with no probed
            // match in the sentence counts with the lowest similarity probed)
            TopK estimated = new TopK(Math.min(SpanSimScoring.rescoredCandidates(k), set.sentences()));
            float[] partial = new float[q];
            for (int slot = 0; slot < seen.capacity(); slot++) {
                int i = seen.sentence(slot);
                if (i < 0 || SpanSimScoring.contains(excluded, i)) {
                    continue;
                }
                seen.maxima(slot, partial);
                float s = 0f;
                for (int j = 0; j < q; j++) {
                    s += weights[j] * (partial[j] == Float.NEGATIVE_INFINITY ? floor[j] : partial[j]);
                }
                if (estimated.admits(s)) {
                    estimated.offer(s, i);
                }
            }
            for (int i : estimated.indicesUnordered()) {
                candidates.add(i);
            }
            int[] unique = candidates.sortedUnique();
            // the similarities the probed lists did not give, computed once per (vector, query vector)
            IntList[] need = new IntList[q];
            for (int j = 0; j < q; j++) {
                need[j] = new IntList();
            }
            int eligible = 0;
            for (int i : unique) {
                if (SpanSimScoring.contains(excluded, i)) {
                    continue;
                }
                eligible++;
                for (int x = start[i]; x < start[i + 1]; x++) {
                    int v = ids[x];
                    for (int j = 0; j < q; j++) {
                        if (!probed[j][listOf[v]]) {
                            need[j].add(v);
                        }
                    }
                }
            }
            if (eligible < k && eligible < set.sentences() - excluded.length) {
                return ExactScan.search(set, queries, weights, k, excluded, parallel);
            }
            for (int j = 0; j < q; j++) {
                int[] vs = need[j].sortedUnique();
                ScanKernels.dotRows(rows, vs, vs.length, queries[j], sims[j]);
            }
            // every candidate scored exactly, as the scan would
            TopK top = new TopK(k);
            for (int i : unique) {
                if (SpanSimScoring.contains(excluded, i)) {
                    continue;
                }
                float s = 0f;
                for (int j = 0; j < q; j++) {
                    float[] sj = sims[j];
                    float m = sj[ids[start[i]]];
                    for (int x = start[i] + 1; x < start[i + 1]; x++) {
                        m = Math.max(m, sj[ids[x]]);
                    }
                    s += weights[j] * m;
                }
                float score = s / wSum;
                if (top.admits(score)) {
                    top.offer(score, i);
                }
            }
            return top.sorted();

        } finally {
            for (float[] buf : sims) {
                if (buf != null) {
                    set.release(buf);
                }
            }
            set.releaseMaxima(seen);
        }
    }
}
