package io.el4ner.core.internal.retrieval;

import java.util.Arrays;

/**
 * A ranked answer: pool sentence indices, best first, with their scores. Immutable.
 */
public final class Hits {
    private final int[] indices;
    private final float[] scores;

    /**
     * @param indices pool sentence indices, best first; owned by this object from now on
     * @param scores their scores, as many; owned by this object from now on
     */
    public Hits(int[] indices, float[] scores) {
        this.indices = indices;
        this.scores = scores;
    }

    /** @return how many */
    public int size() {
        return indices.length;
    }

    /**
     * @param rank a rank, from 0
     * @return the pool index at that rank
     */
    public int index(int rank) {
        return indices[rank];
    }

    /**
     * @param rank a rank, from 0
     * @return the score at that rank
     */
    public float score(int rank) {
        return scores[rank];
    }

    /** @return the pool indices, best first (a copy) */
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hits h && Arrays.equals(indices, h.indices) && Arrays.equals(scores, h.scores);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(indices) * 31 + Arrays.hashCode(scores);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < indices.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(indices[i]).append('=').append(scores[i]);
        }
        return sb.append(']').toString();
    }
}
