package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class PoolingTest {

    @Test
    void meanNormalised_averagesTheChosenTokensOfTheRow() {
        // two rows of three tokens of dimension 2; row 1 holds tokens (3,4), (9,9), (1,0)
        FloatBuffer hidden = FloatBuffer.wrap(new float[] {0, 0, 0, 0, 0, 0, 3, 4, 9, 9, 1, 0});
        float[] v = Pooling.meanNormalised(hidden, 6, 2, new int[] {0, 2, 1}, 2);
        assertThat(v).containsExactly(new float[] {4 / (float) Math.sqrt(32), 4 / (float) Math.sqrt(32)}, within(1e-7f));
        assertThat(Pooling.meanNormalised(hidden, 0, 2, new int[] {0}, 1)).containsExactly(0, 0);
    }

    @Test
    void codePointToUtf16_isNullForBmpTextAndMapsSurrogatePairs() {
        assertThat(Pooling.codePointToUtf16("Zürich ☃")).isNull();
        // "a😀b": code points a, 😀, b at UTF-16 indices 0, 1, 3; the end is 4
        assertThat(Pooling.codePointToUtf16("a\uD83D\uDE00b")).containsExactly(0, 1, 3, 4);
    }

    @Test
    void overlapping_skipsSpecialTokensAndKeepsPartialOverlaps() {
        int[] starts = {-1, 0, 6, 9, -1};
        int[] ends = {0, 5, 9, 12, 0};
        int[] into = new int[5];
        assertThat(Pooling.overlapping(starts, ends, 0, 5, into)).isEqualTo(1);
        assertThat(into[0]).isEqualTo(1);
        assertThat(Pooling.overlapping(starts, ends, 7, 10, into)).isEqualTo(2);
        assertThat(into).startsWith(2, 3);
        assertThat(Pooling.overlapping(starts, ends, 5, 6, into)).isZero();
    }
}
