package io.el4ner.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.TextRange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the tests of {@link OnnxSentenceEncoder} share: the bundled all-MiniLM-L6-v2 (int8) model loaded once per
 * class, sample sentences and vector arithmetic. Public for {@link #copyResource}, which the provider's tests use.
 */
public abstract class OnnxSentenceEncoderFixtures {
    static final int DIM = 384;
    static final String APPLE = "Apple Inc. was founded by Steve Jobs in Cupertino, California.";
    static final String CAT = "The cat sat on the mat";
    static final String LONG = "A considerably longer sentence with many more words than the others in this "
            + "small batch of texts.";

    static OnnxSentenceEncoder encoder;
    /** maxLength 16: [CLS], 14 sub-tokens, [SEP]. */
    static OnnxSentenceEncoder short16;

    @BeforeAll
    static void load() {
        encoder = OnnxSentenceEncoder.builder().build();
        short16 = OnnxSentenceEncoder.builder().maxLength(16).build();
    }

    @AfterAll
    static void release() {
        encoder.close();
        short16.close();
    }

    static TextRange range(String text, String part) {
        int start = text.indexOf(part);
        assertThat(start).as("'%s' in '%s'", part, text).isNotNegative();
        return new TextRange(start, start + part.length());
    }

    static double dot(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    static double norm(float[] v) {
        return Math.sqrt(dot(v, v));
    }

    static double[] first5(float[] v) {
        double[] out = new double[5];
        for (int i = 0; i < 5; i++) {
            out[i] = v[i];
        }
        return out;
    }

    static boolean same(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return a.size() == b.size();
    }

    public static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = OnnxSentenceEncoderFixtures.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            Files.copy(in, to);
        }
    }
}
