package io.el4ner.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.offset;

import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SentenceEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SentenceEncoder} must meet (the encoder behind span-level retrieval). Extend it in a
 * concrete test class and implement {@link #encoder()}; override the hooks where your encoder differs.
 *
 * <p>Each check is also a {@code protected final} method taking the encoder to check (for example
 * {@link #checkEncode(SentenceEncoder)}), so that a test can run one check on an encoder of its choice.
 *
 * <p>The kit never closes what {@link #encoder()} returns; the close test closes {@link #closeableEncoder()}.
 *
 * @since 0.1
 */
public abstract class SentenceEncoderContractTest {
    /** The sentence {@link #checkSpans} encodes spans of. */
    protected static final String SENTENCE = "Angela Merkel visited Paris on Monday.";

    /** Creates the kit; concrete subclasses are instantiated by JUnit. */
    protected SentenceEncoderContractTest() {
    }

    /**
     * The encoder under test. Called at least once per test: return either a fresh encoder each time (all with
     * the same identity) or one shared instance; if you share one, override {@link #closeableEncoder()}.
     *
     * @return the encoder under test
     */
    protected abstract SentenceEncoder encoder();

    /**
     * An encoder the close test may close twice. The default returns {@link #encoder()}; override it when that
     * method returns a shared instance that later tests still need.
     *
     * @return an encoder the kit may close
     */
    protected SentenceEncoder closeableEncoder() {
        return encoder();
    }

    /**
     * Texts the checks encode: by default four English texts of different lengths.
     *
     * @return at least two distinct non-empty texts
     */
    protected List<String> sampleTexts() {
        return List.of("Stock markets fell sharply on Monday.", "Paris",
                "The cat sat on the mat while the dog slept in the sun by the open door.", "Angela Merkel");
    }

    /**
     * The least cosine similarity between a text's vector in a call of several texts and its vector encoded
     * alone. {@link SentenceEncoder#encode} may batch texts so that vectors depend slightly on their batch (int8
     * models with dynamic activation scales do); the default allows 0.98.
     *
     * @return a cosine similarity in {@code (0, 1]}
     */
    protected double batchAgreement() {
        return 0.98;
    }

    /**
     * How far two vectors of the same text from the same kind of call may differ, per component; the default,
     * {@code 1e-5}, allows for floating-point reordering across threads.
     *
     * @return a non-negative tolerance
     */
    protected float repeatTolerance() {
        return 1e-5f;
    }

    @Test
    @DisplayName("identity() is non-blank and stable; dimension() is positive")
    void identityAndDimension() {
        checkIdentity(encoder());
    }

    @Test
    @DisplayName("encode() returns one new unit vector of the dimension per text, in order")
    void encodeReturnsUnitVectorsInOrder() {
        checkEncode(encoder());
    }

    @Test
    @DisplayName("encode() and encodeEach() of no texts return no vectors")
    void emptyCallsReturnNothing() {
        checkEmpty(encoder());
    }

    @Test
    @DisplayName("encodeEach() gives every text its vector encoded alone")
    void encodeEachEncodesEveryTextAlone() {
        checkEncodeEach(encoder());
    }

    @Test
    @DisplayName("encodeSpans() returns one unit vector per span, in order")
    void encodeSpansReturnsOneVectorPerSpan() {
        checkSpans(encoder());
    }

    @Test
    @DisplayName("concurrent calls from several threads give the vectors of sequential calls")
    void concurrentCallsAgree() {
        checkConcurrentCalls(encoder());
    }

    @Test
    @DisplayName("close() can be called twice")
    void closeCanBeRepeated() {
        checkRepeatableClose(closeableEncoder());
    }

    /**
     * Checks that the identity is non-blank, without surrounding whitespace and the same on every call and for
     * every encoder {@link #encoder()} returns, and that the dimension is positive and stable.
     *
     * @param encoder the encoder to check
     */
    protected final void checkIdentity(SentenceEncoder encoder) {
        String identity = encoder.identity();
        assertThat(identity).as("identity()").isNotBlank();
        assertThat(identity).as("identity() without surrounding whitespace").isEqualTo(identity.strip());
        assertThat(encoder.identity()).as("identity() called again").isEqualTo(identity);
        assertThat(encoder().identity()).as("identity() of another encoder()").isEqualTo(identity);
        assertThat(encoder.dimension()).as("dimension()").isPositive();
        assertThat(encoder.dimension()).as("dimension() called again").isEqualTo(encoder.dimension());
    }

    /**
     * Checks that {@link SentenceEncoder#encode} of {@link #sampleTexts()} returns one finite unit vector of
     * {@link SentenceEncoder#dimension()} per text, each a new array that the caller may change without
     * affecting later calls, and each within {@link #batchAgreement()} of the text's vector encoded alone.
     *
     * @param encoder the encoder to check
     */
    protected final void checkEncode(SentenceEncoder encoder) {
        List<String> texts = sampleTexts();
        List<float[]> vectors = encoder.encode(texts);
        assertThat(vectors).as("vectors for %d texts", texts.size()).hasSize(texts.size());
        for (int i = 0; i < vectors.size(); i++) {
            checkUnitVector(encoder, vectors.get(i), "encode() of text " + i);
            for (int j = 0; j < i; j++) {
                assertThat(vectors.get(i)).as("vectors %d and %d are distinct arrays", j, i)
                        .isNotSameAs(vectors.get(j));
            }
        }
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = encoder.encode(List.of(texts.get(i))).get(0);
            assertThat(cosine(vectors.get(i), alone))
                    .as("cosine of text %d's vector in a call of %d texts and alone", i, texts.size())
                    .isGreaterThanOrEqualTo(batchAgreement());
        }
        // the texts are distinct, so their vectors should not all be the same: order is observable
        assertThat(cosine(vectors.get(0), vectors.get(1))).as("cosine of two different texts' vectors")
                .isLessThan(0.9999);
        float[] first = encoder.encode(List.of(texts.get(0))).get(0);
        float[] copy = first.clone();
        Arrays.fill(first, 7f);
        assertThat(encoder.encode(List.of(texts.get(0))).get(0))
                .as("a vector after the caller changed an earlier returned array")
                .containsExactly(copy, offset(repeatTolerance()));
    }

    /**
     * Checks that calls with no texts return empty lists.
     *
     * @param encoder the encoder to check
     */
    protected final void checkEmpty(SentenceEncoder encoder) {
        assertThat(encoder.encode(List.of())).as("encode(List.of())").isEmpty();
        assertThat(encoder.encodeEach(List.of())).as("encodeEach(List.of())").isEmpty();
    }

    /**
     * Checks that {@link SentenceEncoder#encodeEach} of {@link #sampleTexts()} returns, in order, each text's
     * vector from {@code encode(List.of(text))}, within {@link #repeatTolerance()}.
     *
     * @param encoder the encoder to check
     */
    protected final void checkEncodeEach(SentenceEncoder encoder) {
        List<String> texts = sampleTexts();
        List<float[]> each = encoder.encodeEach(texts);
        assertThat(each).as("encodeEach() vectors for %d texts", texts.size()).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            checkUnitVector(encoder, each.get(i), "encodeEach() of text " + i);
            assertThat(each.get(i)).as("encodeEach() of text %d against encode() of it alone", i)
                    .containsExactly(encoder.encode(List.of(texts.get(i))).get(0),
                            offset(repeatTolerance()));
        }
    }

    /**
     * Checks that {@link SentenceEncoder#encodeSpans} returns one unit vector per span of {@link #SENTENCE}, in
     * the order of the spans, and that different spans get different vectors.
     *
     * @param encoder the encoder to check
     */
    protected final void checkSpans(SentenceEncoder encoder) {
        TextRange merkel = new TextRange(0, 13);
        TextRange paris = new TextRange(22, 27);
        assertThat(SENTENCE.substring(paris.start(), paris.end())).isEqualTo("Paris");
        List<float[]> vectors = encoder.encodeSpans(SENTENCE, List.of(merkel, paris, merkel));
        assertThat(vectors).as("encodeSpans() vectors for 3 spans").hasSize(3);
        for (int i = 0; i < 3; i++) {
            checkUnitVector(encoder, vectors.get(i), "encodeSpans() of span " + i);
        }
        assertThat(vectors.get(2)).as("the same span twice in one call")
                .containsExactly(vectors.get(0), offset(repeatTolerance()));
        assertThat(cosine(vectors.get(0), vectors.get(1))).as("cosine of the vectors of two different spans")
                .isLessThan(0.9999);
        List<float[]> reversed = encoder.encodeSpans(SENTENCE, List.of(paris, merkel));
        assertThat(reversed.get(0)).as("a span's vector whatever the order of the spans")
                .containsExactly(vectors.get(1), offset(repeatTolerance()));
    }

    /**
     * Checks that four threads calling {@link SentenceEncoder#encode} at once get, each, the vectors of a
     * sequential call within {@link #repeatTolerance()}, all within a minute.
     *
     * @param encoder the encoder to check
     */
    protected final void checkConcurrentCalls(SentenceEncoder encoder) {
        List<String> texts = sampleTexts();
        List<float[]> expected = encoder.encode(texts);
        int n = 4;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<float[]>>> calls = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                calls.add(pool.submit(() -> {
                    start.await();
                    return encoder.encode(texts);
                }));
            }
            start.countDown();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            for (Future<List<float[]>> call : calls) {
                List<float[]> got = call.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(got).as("vectors of a concurrent call").hasSize(texts.size());
                for (int i = 0; i < texts.size(); i++) {
                    assertThat(got.get(i)).as("text %d in a concurrent call", i)
                            .containsExactly(expected.get(i), offset(repeatTolerance()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while waiting for concurrent calls", e);
        } catch (ExecutionException e) {
            fail("a concurrent call failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            fail("concurrent calls did not finish within a minute", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Checks that {@link SentenceEncoder#close()} can be called twice without an exception.
     *
     * @param encoder the encoder to close
     */
    protected final void checkRepeatableClose(SentenceEncoder encoder) {
        encoder.close();
        encoder.close();
    }

    private static void checkUnitVector(SentenceEncoder encoder, float[] v, String what) {
        assertThat(v).as("%s", what).isNotNull().hasSize(encoder.dimension());
        double norm = 0;
        for (float x : v) {
            assertThat(Float.isFinite(x)).as("%s: every component is finite", what).isTrue();
            norm += (double) x * x;
        }
        assertThat(Math.sqrt(norm)).as("%s: length (vectors are L2-normalised)", what)
                .isCloseTo(1.0, offset(1e-3));
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
