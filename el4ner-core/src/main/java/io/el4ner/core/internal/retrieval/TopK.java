package io.el4ner.core.internal.retrieval;

import java.util.Arrays;

/**
 * The best {@code k} (score, index) pairs offered, in primitive arrays: a binary heap with the worst kept pair
 * on top. Higher scores are better; equal scores go to the lower index, so the result does not depend on the
 * order of offers (and merging per-thread results gives the single-threaded answer). Not thread-safe.
 */
final class TopK {
    private final int k;
    private final float[] scores;
    private final int[] indices;
    private int size;

    /** @param k how many to keep, {@code >= 0} */
    public TopK(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        this.k = k;
        this.scores = new float[k];
        this.indices = new int[k];
    }

    /** @return true if (s1, i1) ranks below (s2, i2) */
    private static boolean worse(float s1, int i1, float s2, int i2) {
        return s1 < s2 || (s1 == s2 && i1 > i2);
    }

    /**
     * @param score a score
     * @param index its index; each index is offered at most once
     */
    public void offer(float score, int index) {
        if (size < k) {
            int i = size++;
            // sift up
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!worse(score, index, scores[parent], indices[parent])) {
                    break;
                }
                scores[i] = scores[parent];
                indices[i] = indices[parent];
                i = parent;
            }
            scores[i] = score;
            indices[i] = index;
        } else if (k > 0 && worse(scores[0], indices[0], score, index)) {
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && worse(scores[c + 1], indices[c + 1], scores[c], indices[c])) {
                    c++;
                }
                if (!worse(scores[c], indices[c], score, index)) {
                    break;
                }
                scores[i] = scores[c];
                indices[i] = indices[c];
                i = c;
            }
            scores[i] = score;
            indices[i] = index;
        }
    }

    /**
     * @param score a score
     * @return true if a pair with this score (and any index) could still enter
     */
    public boolean admits(float score) {
        return size < k || (k > 0 && score >= scores[0]);
    }

    private static void siftDown(float[] sc, int[] idx, int size) {
        float score = sc[0];
        int index = idx[0];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && worse(sc[c + 1], idx[c + 1], sc[c], idx[c])) {
                c++;
            }
            if (!worse(sc[c], idx[c], score, index)) {
                break;
            }
            sc[i] = sc[c];
            idx[i] = idx[c];
            i = c;
        }
        sc[i] = score;
        idx[i] = index;
    }

    /** @return how many pairs are kept */
    public int size() {
        return size;
    }

    /**
     * @param other pairs to merge in (disjoint indices)
     */
    public void addAll(TopK other) {
        for (int i = 0; i < other.size; i++) {
            offer(other.scores[i], other.indices[i]);
        }
    }

    /** @return the kept indices, in no particular order (a copy) */
    public int[] indicesUnordered() {
        return Arrays.copyOf(indices, size);
    }

    /** @return the kept pairs, best first */
    public Hits sorted() {
        // heap sort in place on copies: pop the worst to the back
        float[] sc = Arrays.copyOf(scores, size);
        int[] idx = Arrays.copyOf(indices, size);
        for (int end = size - 1; end > 0; end--) {
            float s = sc[0];
            int i = idx[0];
            sc[0] = sc[end];
            idx[0] = idx[end];
            sc[end] = s;
            idx[end] = i;
            siftDown(sc, idx, end);
        }
        return new Hits(idx, sc);
    }
}
