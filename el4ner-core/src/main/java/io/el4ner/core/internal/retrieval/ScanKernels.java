package io.el4ner.core.internal.retrieval;

/**
 * The float inner loops of the scans: one query against a range of vectors stored dimension-major
 * ({@code columns[t][v]} is component {@code t} of vector {@code v}), and the row-major dot products that exact
 * rescoring uses, which must agree with them bit for bit (hence one class).
 *
 * <p>Why this shape: on Java 17 without the incubating Vector API, C2's auto-vectoriser (SuperWord) turns
 * {@code out[l] += a * x0[l] + b * x1[l] + c * x2[l] + d * x3[l]} into AVX/AVX-512 code, provided every array
 * is indexed by the same loop variable with no offset and the loop body stays small (four columns per pass; at
 * six or more, or with two output arrays, C2 stops unrolling and falls back to scalar code). A row-major dot
 * product instead ends in a {@code float} sum that C2 must keep in order, so it stays scalar; it is about 5x
 * slower on the development machine. Widening loads ({@code byte} to {@code int} or {@code float}) are not
 * vectorised by Java 17's C2 either, so the int8 kernel (in {@link Int8Scan}) is scalar.
 *
 * <p>Exactness: {@link #dot(float[], int, float[])} computes a single vector's similarity with the same
 * grouping and order of operations as {@link #dots}, so a rescored candidate gets bit-for-bit the score the
 * full scan would give it (Java floating point is strict).
 */
final class ScanKernels {
    private ScanKernels() {
    }

    /**
     * {@code out[v] = dot(q, vector v)} for {@code v} in {@code [lo, hi)}.
     *
     * @param columns the vectors, dimension-major; {@code columns.length == q.length}
     * @param q the query
     * @param out receives the similarities, indexed by vector
     * @param lo first vector, inclusive
     * @param hi last vector, exclusive
     */
    static void dots(float[][] columns, float[] q, float[] out, int lo, int hi) {
        int d = q.length;
        int t = 0;
        boolean first = true;
        for (; t + 4 <= d; t += 4) {
            if (first) {
                set4(q[t], columns[t], q[t + 1], columns[t + 1], q[t + 2], columns[t + 2], q[t + 3], columns[t + 3],
                        out, lo, hi);
                first = false;
            } else {
                add4(q[t], columns[t], q[t + 1], columns[t + 1], q[t + 2], columns[t + 2], q[t + 3], columns[t + 3],
                        out, lo, hi);
            }
        }
        switch (d - t) {
            case 0:
                break;
            case 1:
                tail1(first, q[t], columns[t], out, lo, hi);
                break;
            case 2:
                tail2(first, q[t], columns[t], q[t + 1], columns[t + 1], out, lo, hi);
                break;
            default:
                tail3(first, q[t], columns[t], q[t + 1], columns[t + 1], q[t + 2], columns[t + 2], out, lo, hi);
                break;
        }
    }

    private static void set4(float a, float[] x0, float b, float[] x1, float c, float[] x2, float e, float[] x3,
                             float[] y, int lo, int hi) {
        for (int l = lo; l < hi; l++) {
            y[l] = a * x0[l] + b * x1[l] + c * x2[l] + e * x3[l];
        }
    }

    private static void add4(float a, float[] x0, float b, float[] x1, float c, float[] x2, float e, float[] x3,
                             float[] y, int lo, int hi) {
        for (int l = lo; l < hi; l++) {
            y[l] += a * x0[l] + b * x1[l] + c * x2[l] + e * x3[l];
        }
    }

    private static void tail1(boolean first, float a, float[] x0, float[] y, int lo, int hi) {
        if (first) {
            for (int l = lo; l < hi; l++) {
                y[l] = a * x0[l];
            }
        } else {
            for (int l = lo; l < hi; l++) {
                y[l] += a * x0[l];
            }
        }
    }

    private static void tail2(boolean first, float a, float[] x0, float b, float[] x1, float[] y, int lo, int hi) {
        if (first) {
            for (int l = lo; l < hi; l++) {
                y[l] = a * x0[l] + b * x1[l];
            }
        } else {
            for (int l = lo; l < hi; l++) {
                y[l] += a * x0[l] + b * x1[l];
            }
        }
    }

    private static void tail3(boolean first, float a, float[] x0, float b, float[] x1, float c, float[] x2,
                              float[] y, int lo, int hi) {
        if (first) {
            for (int l = lo; l < hi; l++) {
                y[l] = a * x0[l] + b * x1[l] + c * x2[l];
            }
        } else {
            for (int l = lo; l < hi; l++) {
                y[l] += a * x0[l] + b * x1[l] + c * x2[l];
            }
        }
    }

    /**
     * One vector's similarity from a row-major copy, bit-for-bit equal to what {@link #dots} computes for it.
     *
     * @param rows the vectors, row-major
     * @param v the vector
     * @param q the query
     * @return the dot product
     */
    static float dot(float[] rows, int v, float[] q) {
        int d = q.length;
        int o = v * d;
        float s = 0f;
        int t = 0;
        boolean first = true;
        for (; t + 4 <= d; t += 4) {
            float g = q[t] * rows[o + t] + q[t + 1] * rows[o + t + 1] + q[t + 2] * rows[o + t + 2]
                    + q[t + 3] * rows[o + t + 3];
            s = first ? g : s + g;
            first = false;
        }
        int r = d - t;
        if (r > 0) {
            float g = q[t] * rows[o + t];
            if (r > 1) {
                g = g + q[t + 1] * rows[o + t + 1];
            }
            if (r > 2) {
                g = g + q[t + 2] * rows[o + t + 2];
            }
            s = first ? g : s + g;
        }
        return s;
    }

    /**
     * {@link #dot(float[], int, float[])} for several vectors, written to {@code out[v]}; four at a time, so that
     * four independent chains of additions overlap (each keeps the scan's order, so results are bit-for-bit the
     * same). For vectors stored next to each other this reads memory sequentially, unlike a range of
     * {@link #dots} over short slices of many columns.
     *
     * @param rows the vectors, row-major
     * @param vs the vectors to score
     * @param count how many of {@code vs}
     * @param q the query
     * @param out receives the similarities, indexed by vector
     */
    static void dotRows(float[] rows, int[] vs, int count, float[] q, float[] out) {
        int i = 0;
        for (; i + 4 <= count; i += 4) {
            dot4(rows, vs[i], vs[i + 1], vs[i + 2], vs[i + 3], q, out);
        }
        for (; i < count; i++) {
            out[vs[i]] = dot(rows, vs[i], q);
        }
    }

    /**
     * {@link #dotRows} for the consecutive vectors {@code [lo, hi)}.
     *
     * @param rows the vectors, row-major
     * @param q the query
     * @param out receives the similarities, indexed by vector
     * @param lo first vector, inclusive
     * @param hi last vector, exclusive
     */
    static void dotRowRange(float[] rows, float[] q, float[] out, int lo, int hi) {
        int v = lo;
        for (; v + 4 <= hi; v += 4) {
            dot4(rows, v, v + 1, v + 2, v + 3, q, out);
        }
        for (; v < hi; v++) {
            out[v] = dot(rows, v, q);
        }
    }

    private static void dot4(float[] rows, int v0, int v1, int v2, int v3, float[] q, float[] out) {
        int d = q.length;
        int o0 = v0 * d;
        int o1 = v1 * d;
        int o2 = v2 * d;
        int o3 = v3 * d;
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int t = 0;
        boolean first = true;
        for (; t + 4 <= d; t += 4) {
            float a = q[t];
            float b = q[t + 1];
            float c = q[t + 2];
            float e = q[t + 3];
            float g0 = a * rows[o0 + t] + b * rows[o0 + t + 1] + c * rows[o0 + t + 2] + e * rows[o0 + t + 3];
            float g1 = a * rows[o1 + t] + b * rows[o1 + t + 1] + c * rows[o1 + t + 2] + e * rows[o1 + t + 3];
            float g2 = a * rows[o2 + t] + b * rows[o2 + t + 1] + c * rows[o2 + t + 2] + e * rows[o2 + t + 3];
            float g3 = a * rows[o3 + t] + b * rows[o3 + t + 1] + c * rows[o3 + t + 2] + e * rows[o3 + t + 3];
            if (first) {
                s0 = g0;
                s1 = g1;
                s2 = g2;
                s3 = g3;
                first = false;
            } else {
                s0 += g0;
                s1 += g1;
                s2 += g2;
                s3 += g3;
            }
        }
        if (t < d) {
            // the tail is rare (dimensions are multiples of 4 in practice): the single-vector path
            out[v0] = dot(rows, v0, q);
            out[v1] = dot(rows, v1, q);
            out[v2] = dot(rows, v2, q);
            out[v3] = dot(rows, v3, q);
            return;
        }
        out[v0] = s0;
        out[v1] = s1;
        out[v2] = s2;
        out[v3] = s3;
    }
}
