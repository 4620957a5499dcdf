package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {
    private static BitSet of(int... ids) {
        BitSet b = new BitSet();
        for (int id : ids) {
            b.set(id);
        }
        return b;
    }

    @Test
    void next_greedyPicksTheHighestLogitBelowIds() {
        float[] logits = {0f, 3f, 1f, 9f};
        assertThat(TokenSampler.next(logits, 4, 0, null)).isEqualTo(3);
        assertThat(TokenSampler.next(logits, 3, 0, null)).isEqualTo(1);
    }

    @Test
    void next_greedyWithAMaskPicksTheHighestAllowedLogit() {
        float[] logits = {0f, 3f, 1f, 9f, 2f};
        assertThat(TokenSampler.next(logits, 5, of(0, 2, 4), 0, null)).isEqualTo(4);
        assertThat(TokenSampler.next(logits, 5, of(0, 2), 0, null)).isEqualTo(2);
        // an allowed id at or beyond ids is never picked
        assertThat(TokenSampler.next(logits, 3, of(0, 4), 0, null)).isZero();
    }

    @Test
    void next_sampledWithAMaskNeverPicksADisallowedId() {
        float[] logits = new float[64];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i) * 4;
        }
        logits[10] = 50f; // by far the most likely token, but not allowed
        BitSet allowed = of(3, 17, 40, 63);
        SplittableRandom random = new SplittableRandom(7);
        BitSet seen = new BitSet();
        for (int i = 0; i < 2_000; i++) {
            seen.set(TokenSampler.next(logits, logits.length, allowed, 1.5, random));
        }
        assertThat(seen).isEqualTo(allowed);
    }

    @Test
    void next_refusesNaNAnywhereInTheRowEvenOutsideTheMask() {
        float[] logits = {0f, Float.NaN, 1f};
        assertThatThrownBy(() -> TokenSampler.next(logits, 3, of(0, 2), 0, null))
                .isInstanceOf(DecoderOutputException.class).hasMessageContaining("NaN").hasMessageContaining("id 1");
    }

    @Test
    void next_refusesAMaskWithNoFiniteAllowedLogit() {
        float[] logits = {0f, Float.NEGATIVE_INFINITY, 1f};
        assertThatThrownBy(() -> TokenSampler.next(logits, 3, of(1), 0, null))
                .isInstanceOf(DecoderOutputException.class).hasMessageContaining("constraint allows");
        assertThatThrownBy(() -> TokenSampler.next(logits, 3, new BitSet(), 0, null))
                .isInstanceOf(DecoderOutputException.class);
    }
}
