package io.el4ner.core.internal.retrieval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * An inverted-file approximate index (IVF): the vectors are clustered with spherical k-means, and stored list
 * after list, so that list {@code c} is the contiguous range {@code [listStart(c), listStart(c + 1))} of the
 * table it was built for. A search scans the centroids, then only the lists of the nearest few. Immutable.
 *
 * <p>Why IVF rather than a graph (HNSW, e.g. Lucene's {@code HnswGraphBuilder}): a list is a contiguous block of
 * the table, which a probe reads sequentially, and nothing is stored besides the centroids and list offsets.
 * Building is k-means on a sample plus one assignment pass, about a minute for the 576,000 distinct span
 * vectors of a 10^6-sentence pool on two cores; an HNSW graph over as many 384-dimensional vectors needs
 * hundreds of distance computations per insertion, and Lucene 9 computes them without SIMD on Java 17 (its
 * Panama code needs Java 20 or later), so it would take several times longer. Lucene's standalone HNSW API
 * has also changed shape in every 9.x minor release.
 */
public final class IvfIndex {
    private static final int MAX_ITERATIONS = 10;
    private static final int SAMPLE_PER_LIST = 32;

    private final int dimension;
    private final float[][] centroidColumns;
    private final float[] centroidRows;
    private final int[] listStart;
    private final int[] listOf;

    /**
     * @param centroidRows {@code lists * dimension} unit centroids, row-major; taken over
     * @param dimension the dimension
     * @param listStart {@code lists + 1} non-decreasing offsets, from 0 to the table size
     * @throws IllegalArgumentException if the arrays do not fit together
     */
    public IvfIndex(float[] centroidRows, int dimension, int[] listStart) {
        if (dimension < 1 || centroidRows.length % dimension != 0
                || centroidRows.length / dimension != listStart.length - 1 || listStart.length < 2) {
            throw new IllegalArgumentException("IVF centroids (" + centroidRows.length + " floats) and list offsets ("
                    + listStart.length + ") do not fit dimension " + dimension);
        }
        if (listStart[0] != 0) {
            throw new IllegalArgumentException("IVF list offsets must start at 0");
        }
        for (int i = 1; i < listStart.length; i++) {
            if (listStart[i] < listStart[i - 1]) {
                throw new IllegalArgumentException("IVF list offsets decrease at list " + i);
            }
        }
        this.dimension = dimension;
        this.centroidRows = centroidRows;
        this.centroidColumns = VectorTable.ofRows(centroidRows, dimension).columns();
        this.listStart = listStart;
        this.listOf = new int[listStart[listStart.length - 1]];
        for (int c = 0; c + 1 < listStart.length; c++) {
            Arrays.fill(listOf, listStart[c], listStart[c + 1], c);
        }
    }

    /** @return how many lists */
    public int lists() {
        return listStart.length - 1;
    }

    /** @return how many vectors the index covers */
    public int size() {
        return listStart[listStart.length - 1];
    }

    /**
     * @param list a list
     * @return its first vector
     */
    public int listStart(int list) {
        return listStart[list];
    }

    /** @return the list of each vector (do not modify) */
    int[] listOf() {
        return listOf;
    }

    /** @return the centroids, row-major (do not modify) */
    float[] centroidRows() {
        return centroidRows;
    }

    /** @return the list offsets (do not modify) */
    int[] listStarts() {
        return listStart;
    }

    /**
     * @param q a query
     * @param probes how many lists
     * @return the lists whose centroids are most similar to {@code q}, best first (ties to the lower list)
     */
    public int[] probe(float[] q, int probes) {
        int lists = lists();
        float[] sims = new float[lists];
        ScanKernels.dots(centroidColumns, q, sims, 0, lists);
        TopK top = new TopK(Math.min(probes, lists));
        for (int c = 0; c < lists; c++) {
            if (listStart[c + 1] > listStart[c] && top.admits(sims[c])) {
                top.offer(sims[c], c);
            }
        }
        return top.sorted().indices();
    }

    /**
     * The default number of lists for {@code n} vectors: {@code 4 sqrt(n)} (3,000 for 576,000 vectors). Fewer,
     * larger lists make each list a mixture of unrelated neighbourhoods whose centroid routes queries poorly: on
     * the benchmarks' 10^6-sentence pool, recall@5 at 8 probes is 0.93 with {@code 2 sqrt(n)} lists and 0.98 with
     * {@code 4 sqrt(n)}; a query then scans about as many centroids as list members.
     *
     * @param n vectors
     * @return lists, at least 1
     */
    public static int defaultLists(int n) {
        return Math.max(1, (int) Math.round(4 * Math.sqrt(n)));
    }

    /**
     * The index and the order it puts the vectors in.
     *
     * @param index the index, over the reordered table
     * @param order {@code order[p]} is the original vector at position {@code p}
     */
    public record Built(IvfIndex index, int[] order) {
    }

    /**
     * Clusters the vectors with spherical k-means (seeded: the same input gives the same index, whatever the
     * number of threads): k-means on a sample of at most {@value #SAMPLE_PER_LIST} vectors per list, then
     * every vector goes to its nearest centroid.
     *
     * @param table the vectors
     * @param lists how many lists, {@code >= 1}; capped at the number of vectors
     * @param seed the seed
     * @param parallel where to run
     * @return the index and the order of the vectors
     */
    public static Built build(VectorTable table, int lists, long seed, Parallel parallel) {
        return build(table, lists, seed, parallel, SAMPLE_PER_LIST, MAX_ITERATIONS);
    }

    /**
     * {@link #build(VectorTable, int, long, Parallel)} with explicit k-means effort.
     *
     * @param table the vectors
     * @param lists how many lists
     * @param seed the seed
     * @param parallel where to run
     * @param samplePerList k-means sample size per list
     * @param maxIterations k-means iterations at most
     * @return the index and the order of the vectors
     */
    public static Built build(VectorTable table, int lists, long seed, Parallel parallel, int samplePerList,
                              int maxIterations) {
        int n = table.size();
        int d = table.dimension();
        if (n == 0) {
            throw new IllegalArgumentException("cannot cluster an empty table");
        }
        lists = Math.max(1, Math.min(lists, n));
        float[] rows = table.rows();
        SplittableRandom random = new SplittableRandom(seed);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        int sampleSize = (int) Math.min(n, (long) lists * samplePerList);
        for (int i = 0; i < sampleSize; i++) {
            int j = i + random.nextInt(n - i);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        int[] sample = Arrays.copyOf(perm, sampleSize);
        Arrays.sort(sample); // scan order follows memory order; the result does not depend on it

        float[] centroids = new float[lists * d];
        for (int c = 0; c < lists; c++) {
            System.arraycopy(rows, perm[c] * d, centroids, c * d, d);
        }
        int[] assign = new int[sampleSize];
        Arrays.fill(assign, -1);
        for (int iter = 0; iter < maxIterations; iter++) {
            int changed = assignAll(rows, d, sample, centroids, lists, assign, parallel);
            double[] sums = new double[lists * d];
            int[] counts = new int[lists];
            for (int s = 0; s < sampleSize; s++) {
                int c = assign[s];
                counts[c]++;
                int o = sample[s] * d;
                int co = c * d;
                for (int t = 0; t < d; t++) {
                    sums[co + t] += rows[o + t];
                }
            }
            for (int c = 0; c < lists; c++) {
                if (counts[c] == 0) {
                    // an empty list restarts at a random sample vector
                    System.arraycopy(rows, sample[random.nextInt(sampleSize)] * d, centroids, c * d, d);
                    continue;
                }
                double ss = 0;
                for (int t = 0; t < d; t++) {
                    ss += sums[c * d + t] * sums[c * d + t];
                }
                double inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
                for (int t = 0; t < d; t++) {
                    centroids[c * d + t] = (float) (sums[c * d + t] * inv);
                }
            }
            if (iter > 0 && changed <= sampleSize / 1000) {
                break;
            }
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        int[] listOf = new int[n];
        Arrays.fill(listOf, -1);
        assignAll(rows, d, all, centroids, lists, listOf, parallel);
        int[] start = new int[lists + 1];
        for (int v = 0; v < n; v++) {
            start[listOf[v] + 1]++;
        }
        for (int c = 0; c < lists; c++) {
            start[c + 1] += start[c];
        }
        int[] fill = Arrays.copyOf(start, lists);
        int[] order = new int[n];
        for (int v = 0; v < n; v++) {
            order[fill[listOf[v]]++] = v;
        }
        return new Built(new IvfIndex(centroids, d, start), order);
    }

    /** Assigns each listed vector to its most similar centroid; returns how many assignments changed. */
    private static int assignAll(float[] rows, int d, int[] which, float[] centroids, int lists, int[] assign,
                                 Parallel parallel) {
        float[][] centroidColumns = VectorTable.ofRows(centroids.clone(), d).columns();
        int n = which.length;
        int parts = parallel.partsFor((long) n * lists * d, n);
        int[] changed = new int[parts];
        parallel.run(parts, p -> {
            float[] q = new float[d];
            float[] sims = new float[lists];
            int c = 0;
            for (int i = Parallel.bound(n, parts, p), end = Parallel.bound(n, parts, p + 1); i < end; i++) {
                System.arraycopy(rows, which[i] * d, q, 0, d);
                ScanKernels.dots(centroidColumns, q, sims, 0, lists);
                int best = 0;
                for (int l = 1; l < lists; l++) {
                    if (sims[l] > sims[best]) {
                        best = l;
                    }
                }
                if (assign[i] != best) {
                    assign[i] = best;
                    c++;
                }
            }
            changed[p] = c;
        });
        return Arrays.stream(changed).sum();
    }
}
