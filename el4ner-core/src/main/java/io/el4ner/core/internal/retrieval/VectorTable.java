package io.el4ner.core.internal.retrieval;

/**
 * A set of vectors of one dimension, held dimension-major for the scan ({@link #columns()}), with a row-major
 * copy for random access ({@link #rows()}) and int8 codes ({@link #int8()}) made on first use. Immutable and
 * thread-safe once built; the arrays it hands out must not be modified.
 */
public final class VectorTable {
    private final int dimension;
    private final int size;
    private final float[][] columns;
    private volatile float[] rows;
    private volatile Int8Codes int8;

    private VectorTable(int dimension, int size, float[][] columns, float[] rows) {
        this.dimension = dimension;
        this.size = size;
        this.columns = columns;
        this.rows = rows;
    }

    /**
     * @param rows {@code size * dimension} components, vector after vector; the table takes ownership
     * @param dimension the dimension, {@code >= 1}
     * @return the table
     * @throws IllegalArgumentException if the length is not a multiple of the dimension or a component is not
     *     finite
     */
    public static VectorTable ofRows(float[] rows, int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
        }
        if (rows.length % dimension != 0) {
            throw new IllegalArgumentException(rows.length + " components are not a whole number of vectors of "
                    + "dimension " + dimension);
        }
        int size = rows.length / dimension;
        float[][] columns = new float[dimension][size];
        for (int v = 0; v < size; v++) {
            int o = v * dimension;
            for (int t = 0; t < dimension; t++) {
                float x = rows[o + t];
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException("vector " + v + " has a non-finite component: " + x);
                }
                columns[t][v] = x;
            }
        }
        return new VectorTable(dimension, size, columns, rows);
    }

    /** @return the dimension */
    public int dimension() {
        return dimension;
    }

    /** @return how many vectors */
    public int size() {
        return size;
    }

    /** @return the vectors, dimension-major: {@code columns()[t][v]}; do not modify */
    public float[][] columns() {
        return columns;
    }

    /** @return the vectors, row-major: component {@code t} of vector {@code v} at {@code v * dimension + t} */
    public float[] rows() {
        float[] r = rows;
        if (r == null) {
            synchronized (this) {
                r = rows;
                if (r == null) {
                    r = new float[size * dimension];
                    for (int t = 0; t < dimension; t++) {
                        float[] c = columns[t];
                        for (int v = 0; v < size; v++) {
                            r[v * dimension + t] = c[v];
                        }
                    }
                    rows = r;
                }
            }
        }
        return r;
    }

    /** Drops the row-major copy when only the scan needs the table (it is rebuilt on demand). */
    public void dropRows() {
        rows = null;
    }

    /** @return int8 codes of the vectors, made on first use */
    public Int8Codes int8() {
        Int8Codes c = int8;
        if (c == null) {
            synchronized (this) {
                c = int8;
                if (c == null) {
                    c = Int8Codes.of(this);
                    int8 = c;
                }
            }
        }
        return c;
    }

    /**
     * @param v a vector
     * @return a copy of it
     */
    public float[] vector(int v) {
        float[] out = new float[dimension];
        for (int t = 0; t < dimension; t++) {
            out[t] = columns[t][v];
        }
        return out;
    }

    /**
     * @param order {@code order[p]} is the vector that goes to position {@code p}; a permutation
     * @return the reordered table
     */
    VectorTable permute(int[] order) {
        float[] r = new float[size * dimension];
        float[] src = rows();
        for (int p = 0; p < size; p++) {
            System.arraycopy(src, order[p] * dimension, r, p * dimension, dimension);
        }
        return ofRows(r, dimension);
    }

    /**
     * Symmetric per-vector int8 codes: {@code codes[t][v] = round(x / scale[v])} with
     * {@code scale[v] = max |x| / 127}, stored dimension-major like the floats. The arrays must not be modified.
     */
    public static final class Int8Codes {
        private final byte[][] codes;
        private final float[] scales;

        private Int8Codes(byte[][] codes, float[] scales) {
            this.codes = codes;
            this.scales = scales;
        }

        /** @return the codes, dimension-major */
        public byte[][] codes() {
            return codes;
        }

        /** @return one scale per vector */
        public float[] scales() {
            return scales;
        }

        static Int8Codes of(VectorTable table) {
            int d = table.dimension;
            int n = table.size;
            float[][] cols = table.columns;
            float[] max = new float[n];
            for (int t = 0; t < d; t++) {
                float[] c = cols[t];
                for (int v = 0; v < n; v++) {
                    max[v] = Math.max(max[v], Math.abs(c[v]));
                }
            }
            float[] scales = new float[n];
            for (int v = 0; v < n; v++) {
                scales[v] = max[v] == 0 ? 0f : max[v] / 127f;
            }
            byte[][] codes = new byte[d][n];
            for (int t = 0; t < d; t++) {
                float[] c = cols[t];
                byte[] out = codes[t];
                for (int v = 0; v < n; v++) {
                    out[v] = scales[v] == 0 ? 0 : (byte) Math.max(-127, Math.min(127, Math.round(c[v] / scales[v])));
                }
            }
            return new Int8Codes(codes, scales);
        }

        /**
         * @param q a query vector
         * @param out receives its codes
         * @return its scale
         */
        public static float quantize(float[] q, int[] out) {
            float max = 0f;
            for (float x : q) {
                max = Math.max(max, Math.abs(x));
            }
            float scale = max == 0 ? 0f : max / 127f;
            for (int t = 0; t < q.length; t++) {
                out[t] = scale == 0 ? 0 : Math.max(-127, Math.min(127, Math.round(q[t] / scale)));
            }
            return scale;
        }
    }
}
