package io.el4ner.core.internal.retrieval;

import java.util.SplittableRandom;

/** Pools of vectors for tests: hand-made or seeded random. */
final class TestPools {
    private TestPools() {
    }

    /** Sentence {@code i} owns the vectors {@code sentences[i]}. */
    static SegmentedVectors of(float[][] vectors, int[][] sentences) {
        int d = vectors[0].length;
        float[] rows = new float[vectors.length * d];
        for (int v = 0; v < vectors.length; v++) {
            System.arraycopy(vectors[v], 0, rows, v * d, d);
        }
        int[] start = new int[sentences.length + 1];
        int total = 0;
        for (int i = 0; i < sentences.length; i++) {
            total += sentences[i].length;
            start[i + 1] = total;
        }
        int[] ids = new int[total];
        for (int i = 0; i < sentences.length; i++) {
            System.arraycopy(sentences[i], 0, ids, start[i], sentences[i].length);
        }
        return SegmentedVectors.of(VectorTable.ofRows(rows, d), start, ids, null);
    }

    static float[] unit(SplittableRandom r, int d) {
        float[] v = new float[d];
        for (int t = 0; t < d; t++) {
            v[t] = (float) (r.nextDouble() * 2 - 1);
        }
        return VectorMath.normalize(v);
    }

    /** A unit vector near {@code center}: {@code normalize(center + noise * uniform)}. */
    static float[] near(SplittableRandom r, float[] center, double noise) {
        float[] v = new float[center.length];
        for (int t = 0; t < v.length; t++) {
            v[t] = (float) (center[t] + noise * (r.nextDouble() * 2 - 1));
        }
        return VectorMath.normalize(v);
    }

    /** Uniform noise per component that has about this norm in total. */
    static double amplitude(double norm, int d) {
        return norm * Math.sqrt(3.0 / d);
    }

    /**
     * Random unit vectors, {@code clusters} clusters (0 = uniform; a member's cosine to its center is about 0.8),
     * and sentences of 0 to {@code maxSpans} vectors each.
     */
    static SegmentedVectors random(long seed, int vectors, int sentences, int d, int maxSpans, int clusters) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] centers = new float[Math.max(clusters, 1)][];
        for (int c = 0; c < centers.length; c++) {
            centers[c] = unit(r, d);
        }
        float[][] vs = new float[vectors][];
        for (int v = 0; v < vectors; v++) {
            vs[v] = clusters == 0 ? unit(r, d) : near(r, centers[r.nextInt(clusters)], amplitude(0.75, d));
        }
        int[][] ss = new int[sentences][];
        for (int i = 0; i < sentences; i++) {
            ss[i] = new int[r.nextInt(maxSpans + 1)];
            for (int x = 0; x < ss[i].length; x++) {
                ss[i][x] = r.nextInt(vectors);
            }
        }
        return of(vs, ss);
    }

    /**
     * Query vectors: half are pool vectors with a little noise (a span seen in the pool), half are pool vectors
     * with about as much noise as a cluster has (a new span of a known kind).
     */
    static float[][] queries(long seed, SegmentedVectors set, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = set.table().dimension();
        float[][] q = new float[count][];
        for (int j = 0; j < count; j++) {
            float[] base = set.table().vector(r.nextInt(set.table().size()));
            q[j] = near(r, base, amplitude(r.nextBoolean() ? 0.1 : 0.75, d));
        }
        return q;
    }
}
