package io.el4ner.core.internal.retrieval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores every pool sentence against a query and keeps the best {@code k}: EL4NER's SpanSim,
 * <pre>
 *   score(c) = sum_j w_j * max_{v in c} sim(q_j, v) / sum_j w_j
 * </pre>
 * where the {@code q_j} are the query's span vectors with weights {@code w_j > 0} and the {@code v} are the
 * candidate sentence's vectors. A sentence with no vectors scores 0. Ties go to the lower sentence index.
 * Sentences listed in {@code excluded} are skipped.
 *
 * <p>Four ways to compute it:
 * <ul>
 *   <li>{@link #exact}: similarities of every query vector to every distinct pool vector (one pass over the
 *       dimension-major table per query vector, split over threads when large), then a branch-free segmented
 *       max per sentence ({@link SegmentedVectors#slots()}) and a primitive top-k. The reference for the
 *       others.</li>
 *   <li>{@link #int8}: the same pass on int8 codes picks {@link #int8Candidates(int)} candidates, which are
 *       then rescored exactly; returned scores are bit-for-bit those of {@link #exact}. On Java 17 the int8
 *       pass is scalar and slower than the float pass (see {@link ScanKernels}).</li>
 *   <li>{@link #approximate}: an {@link IvfIndex} probes the nearest lists per query vector; candidate
 *       sentences are scored exactly, so returned scores are bit-for-bit those of {@link #exact}, but a
 *       sentence that is not a candidate is missed.</li>
 *   <li>{@link #naive}: the obvious loops (scalar dot product per sentence, per span, per query vector; a sort
 *       at the end). For tests and the benchmark's baseline.</li>
 * </ul>
 * All are thread-safe.
 */
public final class SpanSimScan {
    private SpanSimScan() {
    }

    /**
     * @param k results wanted
     * @return how many candidates the int8 pass keeps for exact rescoring: {@code max(50, 10 k)}
     */
    public static int int8Candidates(int k) {
        return Math.max(50, 10 * k);
    }

    /**
     * @param k results wanted
     * @return how many of the most similar vectors, per query vector, the approximate search takes its
     *     candidate sentences from: {@code max(40, 8 k)}
     */
    public static int approximateVectorsPerQuery(int k) {
        return Math.max(40, 8 * k);
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
    public static Hits exact(SegmentedVectors set, float[][] queries, float[] weights, int k, int[] excluded,
                             Parallel parallel) {
        float wSum = check(set, queries, weights, k);
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
            similarities(set, queries, parallel, sims);
            return rank(set, sims, weights, wSum, k, excluded, parallel).sorted();
        } finally {
            for (float[] a : sims) {
                if (a != null) {
                    set.release(a);
                }
            }
        }
    }

    /**
     * The int8 scan with exact rescoring of {@link #int8Candidates(int)} candidates.
     *
     * @param set the pool
     * @param queries query vectors
     * @param weights their weights
     * @param k results wanted
     * @param excluded sentences never returned, ascending
     * @param parallel where to run
     * @return the best {@code k} candidates by exact score, best first
     * @throws IllegalArgumentException as {@link #exact}
     */
    public static Hits int8(SegmentedVectors set, float[][] queries, float[] weights, int k, int[] excluded,
                            Parallel parallel) {
        float wSum = check(set, queries, weights, k);
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
            return int8(set, queries, weights, k, excluded, parallel, codes, qi, qs, acc, sims, wSum);
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

    private static Hits int8(SegmentedVectors set, float[][] queries, float[] weights, int k, int[] excluded,
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
                ScanKernels.dotsInt8(codes.codes(), qi[j], acc[j], lo, hi);
                int[] a = acc[j];
                float[] s = sims[j];
                float f = qs[j];
                for (int l = lo; l < hi; l++) {
                    s[l] = a[l] * f * scales[l];
                }
            }
        });
        Hits candidates = rank(set, sims, weights, wSum, Math.min(int8Candidates(k), set.sentences()), excluded,
                parallel).sorted();
        float[] rows = table.rows();
        TopK top = new TopK(k);
        for (int r = 0; r < candidates.size(); r++) {
            int i = candidates.index(r);
            top.offer(exactScore(set, rows, i, queries, weights, wSum), i);
        }
        return top.sorted();
    }

    /**
     * The approximate search. For each query vector, probe the {@code probes} nearest IVF lists (the
     * similarities of every vector in them are computed, from the row-major copy, where a list is one contiguous
     * block). Candidates are (1) the sentences owning one of the {@code vectorsPerQuery} most similar vectors
     * found, per query vector (what decides when a query span matches a frequent pool span exactly and the
     * other spans break the tie), and (2) the {@link #int8Candidates(int)} best of all sentences owning a probed
     * vector, by a score estimated from the probed similarities alone, a query vector without a probed match in
     * the sentence counting with the lowest similarity probed (what decides when several moderately similar
     * spans add up). Every candidate is then scored exactly (the similarities the probed lists did not give are
     * computed), so the returned scores are bit-for-bit those of {@link #exact}; only a sentence that is no
     * candidate can be missed. Falls back to the exact scan when fewer than {@code k} candidates are found (tiny pools, or pools
     * where most sentences have no vectors).
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
     * @throws IllegalArgumentException as {@link #exact}
     * @throws IllegalStateException if the pool has no approximate index
     */
    public static Hits approximate(SegmentedVectors set, float[][] queries, float[] weights, int k, int[] excluded,
                                   int probes, int vectorsPerQuery, Parallel parallel) {
        float wSum = check(set, queries, weights, k);
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
            TopK estimated = new TopK(Math.min(int8Candidates(k), set.sentences()));
            float[] partial = new float[q];
            for (int slot = 0; slot < seen.capacity(); slot++) {
                int i = seen.sentence(slot);
                if (i < 0 || contains(excluded, i)) {
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
                if (contains(excluded, i)) {
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
                return exact(set, queries, weights, k, excluded, parallel);
            }
            for (int j = 0; j < q; j++) {
                int[] vs = need[j].sortedUnique();
                ScanKernels.dotRows(rows, vs, vs.length, queries[j], sims[j]);
            }
            // every candidate scored exactly, as the scan would
            TopK top = new TopK(k);
            for (int i : unique) {
                if (contains(excluded, i)) {
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

    /**
     * The naive scan: for every sentence, for every query vector, a scalar dot product with each of the
     * sentence's vectors (one accumulator, row-major), then a full sort.
     *
     * @param set the pool
     * @param queries query vectors
     * @param weights their weights
     * @param k results wanted
     * @param excluded sentences never returned, ascending
     * @return the best {@code k} sentences, best first
     * @throws IllegalArgumentException as {@link #exact}
     */
    public static Hits naive(SegmentedVectors set, float[][] queries, float[] weights, int k, int[] excluded) {
        float wSum = check(set, queries, weights, k);
        float[] rows = set.table().rows();
        int d = set.table().dimension();
        int[] start = set.starts();
        int[] ids = set.ids();
        List<float[]> scored = new ArrayList<>();
        for (int i = 0; i < set.sentences(); i++) {
            if (contains(excluded, i)) {
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

    /**
     * One sentence's exact score, bit-for-bit what {@link #exact} computes for it.
     *
     * @param set the pool
     * @param sentence the sentence
     * @param queries query vectors
     * @param weights their weights
     * @return its SpanSim score
     */
    public static float score(SegmentedVectors set, int sentence, float[][] queries, float[] weights) {
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

    /** Segmented max, weighted mean, top-k, from precomputed similarities. */
    private static TopK rank(SegmentedVectors set, float[][] sims, float[] weights, float wSum, int k,
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

    /** Sentences per chunk of {@link #rank}. */
    private static final int CHUNK = 1024;

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

    private static float exactScore(SegmentedVectors set, float[] rows, int i, float[][] queries, float[] weights,
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

    private static float check(SegmentedVectors set, float[][] queries, float[] weights, int k) {
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

    /** Per sentence, the best similarity seen for each query vector: an open-addressing map in flat arrays. */
    static final class SentenceMaxima {
        private int q;
        private int[] keys = new int[0];
        private float[] values = new float[0];
        private int size;

        /**
         * Empties the table for {@code q} query vectors and about {@code capacity} sentences, keeping its arrays
         * when they are large enough: a reused table costs no allocation (see {@link SegmentedVectors#borrow}).
         */
        SentenceMaxima reset(int q, int capacity) {
            this.q = q;
            this.size = 0;
            int slots = Integer.highestOneBit(Math.max(16, capacity - 1)) << 1;
            if (keys.length < slots || keys.length > 8 * slots || values.length < keys.length * q) {
                keys = new int[keys.length < slots || keys.length > 8 * slots ? slots : keys.length];
                values = new float[keys.length * q];
            }
            Arrays.fill(keys, -1);
            Arrays.fill(values, 0, keys.length * q, Float.NEGATIVE_INFINITY);
            return this;
        }

        int capacity() {
            return keys.length;
        }

        int sentence(int slot) {
            return keys[slot];
        }

        void maxima(int slot, float[] out) {
            System.arraycopy(values, slot * q, out, 0, q);
        }

        void max(int sentence, int j, float sim) {
            int slot = find(sentence);
            if (keys[slot] < 0) {
                if (2 * (size + 1) > keys.length) {
                    grow();
                    slot = find(sentence);
                }
                keys[slot] = sentence;
                size++;
            }
            int at = slot * q + j;
            if (sim > values[at]) {
                values[at] = sim;
            }
        }

        private int find(int sentence) {
            int mask = keys.length - 1;
            int slot = ((sentence * 0x9E3779B9) >>> 7) & mask;
            while (keys[slot] >= 0 && keys[slot] != sentence) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }

        private void grow() {
            int[] oldKeys = keys;
            float[] oldValues = values;
            keys = new int[oldKeys.length * 2];
            Arrays.fill(keys, -1);
            values = new float[keys.length * q];
            Arrays.fill(values, Float.NEGATIVE_INFINITY);
            for (int s = 0; s < oldKeys.length; s++) {
                if (oldKeys[s] >= 0) {
                    int slot = find(oldKeys[s]);
                    keys[slot] = oldKeys[s];
                    System.arraycopy(oldValues, s * q, values, slot * q, q);
                }
            }
        }
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] a = new int[256];
        private int n;

        void add(int x) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = x;
        }

        int[] sortedUnique() {
            int[] s = Arrays.copyOf(a, n);
            Arrays.sort(s);
            int m = 0;
            for (int i = 0; i < s.length; i++) {
                if (m == 0 || s[m - 1] != s[i]) {
                    s[m++] = s[i];
                }
            }
            return Arrays.copyOf(s, m);
        }
    }
}
