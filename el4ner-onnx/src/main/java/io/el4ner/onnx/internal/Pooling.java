package io.el4ner.onnx.internal;

import java.nio.FloatBuffer;

/** Mean pooling, L2 normalisation and the alignment of sub-tokens to character ranges. */
final class Pooling {
    private Pooling() {
    }

    /**
     * Averages the given token vectors of one row of a {@code [batch, seq, dim]} tensor and L2-normalises the mean.
     * Accumulates in double so that the result does not depend on how many tokens there are beyond rounding.
     *
     * @param hidden the tensor, row-major
     * @param rowOffset the index of the row's first value, {@code b * seq * dim}
     * @param dim the vector length
     * @param tokens the token positions to average, at least one
     * @param count how many of {@code tokens} to use
     * @return a new unit vector (all zeros only if the mean is exactly zero)
     */
    public static float[] meanNormalised(FloatBuffer hidden, int rowOffset, int dim, int[] tokens, int count) {
        double[] sum = new double[dim];
        for (int t = 0; t < count; t++) {
            int base = rowOffset + tokens[t] * dim;
            for (int d = 0; d < dim; d++) {
                sum[d] += hidden.get(base + d);
            }
        }
        // The mean's 1/count cancels in the normalisation; it is kept out to save a pass.
        double norm = 0;
        for (double v : sum) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        float[] out = new float[dim];
        if (norm > 0) {
            for (int d = 0; d < dim; d++) {
                out[d] = (float) (sum[d] / norm);
            }
        }
        return out;
    }

    /**
     * Maps the tokenizer's character offsets, which count Unicode code points, to UTF-16 indices of {@code text}.
     *
     * @param text the text that was tokenized
     * @return {@code map[cp]} = the UTF-16 index of code point {@code cp} (length: code points + 1), or null when
     *     the two coincide (no supplementary characters)
     */
    public static int[] codePointToUtf16(String text) {
        int cps = text.codePointCount(0, text.length());
        if (cps == text.length()) {
            return null;
        }
        int[] map = new int[cps + 1];
        for (int cp = 0, i = 0; cp < cps; cp++) {
            map[cp] = i;
            i += Character.charCount(text.codePointAt(i));
        }
        map[cps] = text.length();
        return map;
    }

    /**
     * Finds the tokens whose characters overlap {@code [start, end)}.
     *
     * @param tokenStarts UTF-16 start of each token, -1 for special tokens
     * @param tokenEnds UTF-16 end of each token
     * @param start the range's start
     * @param end the range's end
     * @param into receives the token positions, in order; as long as the arrays
     * @return how many tokens were found
     */
    public static int overlapping(int[] tokenStarts, int[] tokenEnds, int start, int end, int[] into) {
        int n = 0;
        for (int t = 0; t < tokenStarts.length; t++) {
            if (tokenStarts[t] >= 0 && tokenStarts[t] < end && tokenEnds[t] > start) {
                into[n++] = t;
            }
        }
        return n;
    }
}
