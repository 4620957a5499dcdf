package io.el4ner.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.El4nerException;
import io.el4ner.api.TextRange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceEncoderDefaultsTest {
    /** Vectors that depend on the batch: component 1 is the call's size, so "alone" is visible. */
    private static final class BatchSensitive implements SentenceEncoder {
        final List<List<String>> calls = new ArrayList<>();
        int vectorsPerText = 1;

        @Override
        public String identity() {
            return "batch-sensitive";
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public List<float[]> encode(List<String> texts) {
            calls.add(List.copyOf(texts));
            List<float[]> out = new ArrayList<>();
            for (String t : texts) {
                for (int i = 0; i < vectorsPerText; i++) {
                    out.add(new float[] {t.length(), texts.size()});
                }
            }
            return out;
        }

        @Override
        public List<float[]> encodeSpans(String sentence, List<TextRange> spans) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void encodeEach_encodesEveryTextAloneInOrder() {
        BatchSensitive encoder = new BatchSensitive();
        List<float[]> vs = encoder.encodeEach(List.of("ab", "abcd", "a"));
        assertThat(vs).extracting(v -> v[0]).containsExactly(2f, 4f, 1f);
        assertThat(vs).extracting(v -> v[1]).containsOnly(1f);
        assertThat(encoder.calls).containsExactly(List.of("ab"), List.of("abcd"), List.of("a"));
        assertThat(encoder.encodeEach(List.of())).isEmpty();
    }

    @Test
    void encodeEach_rejectsAnEncoderThatDoesNotAnswerOneVectorPerText() {
        BatchSensitive encoder = new BatchSensitive();
        encoder.vectorsPerText = 2;
        assertThatThrownBy(() -> encoder.encodeEach(List.of("ab")))
                .isInstanceOf(El4nerException.class)
                .hasMessageContaining("batch-sensitive").hasMessageContaining("2 vectors for one text");
    }
}
