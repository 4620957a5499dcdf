package io.el4ner.tck;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SentenceEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Shows that the kit's encoder checks fail on encoders that break the contract, and pass on one that keeps it. */
class ContractKitCatchesBrokenEncodersTest {
    /** A kit run by hand: its tests are not discovered, only its checks called. */
    private static SentenceEncoderContractTest kitFor(SentenceEncoder encoder) {
        return new SentenceEncoderContractTest() {
            @Override
            protected SentenceEncoder encoder() {
                return encoder;
            }
        };
    }

    @Test
    void everyCheck_correctEncoder_passes() {
        SentenceEncoder good = new HashingEncoder();
        SentenceEncoderContractTest kit = kitFor(good);
        assertThatNoException().isThrownBy(() -> {
            kit.checkIdentity(good);
            kit.checkEncode(good);
            kit.checkEmpty(good);
            kit.checkEncodeEach(good);
            kit.checkSpans(good);
            kit.checkConcurrentCalls(good);
            kit.checkRepeatableClose(good);
        });
    }

    @Test
    void checkEncode_vectorsNotNormalised_fails() {
        SentenceEncoder unnormalised = new HashingEncoder() {
            @Override
            public List<float[]> encode(List<String> texts) {
                List<float[]> out = super.encode(texts);
                out.forEach(v -> v[0] += 0.5f);
                return out;
            }
        };
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> kitFor(unnormalised).checkEncode(unnormalised)).withMessageContaining("length");
    }

    @Test
    void checkEncode_oneSharedArrayReturnedForEveryCall_fails() {
        float[] shared = HashingEncoder.vector("always the same");
        SentenceEncoder caching = new HashingEncoder() {
            @Override
            public List<float[]> encode(List<String> texts) {
                List<float[]> out = new ArrayList<>();
                for (String t : texts) {
                    float[] v = HashingEncoder.vector(t);
                    System.arraycopy(v, 0, shared, 0, v.length);
                    out.add(shared);
                }
                return out;
            }
        };
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> kitFor(caching).checkEncode(caching)).withMessageContaining("distinct arrays");
    }

    @Test
    void checkEncode_wrongDimension_fails() {
        SentenceEncoder liar = new HashingEncoder() {
            @Override
            public int dimension() {
                return 32;
            }
        };
        assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> kitFor(liar).checkEncode(liar));
    }

    @Test
    void checkEncodeEach_vectorsThatDependOnTheOtherTexts_fails() {
        SentenceEncoder batchDependent = new HashingEncoder() {
            @Override
            public List<float[]> encodeEach(List<String> texts) {
                // wrong: a batched call where each text's vector leans towards the first text's
                float[] first = HashingEncoder.vector(texts.get(0));
                List<float[]> out = new ArrayList<>();
                for (String t : texts) {
                    float[] v = HashingEncoder.vector(t);
                    double norm = 0;
                    for (int i = 0; i < v.length; i++) {
                        v[i] += 0.2f * first[i];
                        norm += v[i] * v[i];
                    }
                    for (int i = 0; i < v.length; i++) {
                        v[i] /= (float) Math.sqrt(norm);
                    }
                    out.add(v);
                }
                return out;
            }
        };
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> kitFor(batchDependent).checkEncodeEach(batchDependent))
                .withMessageContaining("encodeEach() of text 1");
    }

    @Test
    void checkSpans_oneVectorTooFew_fails() {
        SentenceEncoder lossy = new HashingEncoder() {
            @Override
            public List<float[]> encodeSpans(String sentence, List<TextRange> spans) {
                return super.encodeSpans(sentence, spans.subList(0, spans.size() - 1));
            }
        };
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> kitFor(lossy).checkSpans(lossy)).withMessageContaining("3 spans");
    }

    @Test
    void checkConcurrentCalls_notThreadSafe_fails() {
        AtomicInteger calls = new AtomicInteger();
        SentenceEncoder racy = new HashingEncoder() {
            @Override
            public List<float[]> encode(List<String> texts) {
                List<float[]> out = super.encode(texts);
                if (calls.incrementAndGet() > 1) { // every call after the first answers another text's vector
                    out.set(0, HashingEncoder.vector("something else entirely"));
                }
                return out;
            }
        };
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> kitFor(racy).checkConcurrentCalls(racy)).withMessageContaining("concurrent call");
    }
}
