package io.el4ner.core.internal.retrieval;

import java.util.Arrays;

/** Per sentence, the best similarity seen for each query vector: an open-addressing map in flat arrays. */
final class SentenceMaxima {
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
