package io.el4ner.core.internal.retrieval;

/**
 * The scalar reference for vector similarity: obviously correct, used where speed does not matter (tests,
 * the naive baseline, index building). The scan in {@link ScanKernels} is checked against it.
 *
 * <p>Accumulation is in {@code float}, like the scan, so that the two differ only by summation order (a few
 * ulps for unit vectors of a few hundred dimensions); the encoders emit {@code float} vectors anyway.
 */
public final class VectorMath {
    private VectorMath() {
    }

    /**
     * The dot product, one accumulator, in index order.
     *
     * @param a a vector
     * @param b a vector of the same length
     * @return their dot product; the cosine similarity when both are unit vectors
     * @throws IllegalArgumentException if the lengths differ
     */
    public static float dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector dimensions differ: " + a.length + " != " + b.length);
        }
        float s = 0f;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * The cosine similarity, in {@code [-1, 1]}; 0 when either vector is zero.
     *
     * @param a a vector
     * @param b a vector of the same length
     * @return their cosine similarity
     * @throws IllegalArgumentException if the lengths differ
     */
    public static float cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector dimensions differ: " + a.length + " != " + b.length);
        }
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        if (aa == 0 || bb == 0) {
            return 0f;
        }
        float r = (float) Math.max(-1, Math.min(1, ab / Math.sqrt(aa * bb)));
        assert Float.isFinite(r);
        return r;
    }

    /**
     * Scales a vector to unit length in place; a zero vector stays zero.
     *
     * @param v the vector
     * @return {@code v}
     * @throws IllegalArgumentException if a component is not finite
     */
    public static float[] normalize(float[] v) {
        double ss = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("vector has a non-finite component: " + x);
            }
            ss += (double) x * x;
        }
        if (ss > 0) {
            double inv = 1.0 / Math.sqrt(ss);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] * inv);
            }
        }
        return v;
    }
}
