package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.el4ner.onnx.DecoderFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoding loop on tiny-gqa's fp32 model: greedy decoding reproduces the NumPy reference of the fixture
 * generator token for token, alone and in a batch with other requests; each end token stops a row; token limits,
 * seeded sampling, prefix reuse, cancellation and deadlines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecodingLoopTest {
    private static final int CHUNK = 8;
    private OrtSession session;
    private DecoderSignature signature;
    private long[] prompt;
    private long[] greedy;

    @BeforeAll
    void load() throws OrtException, IOException {
        DecoderDirectory files = DecoderDirectory.read(DecoderFixtures.dir(DecoderFixtures.GQA), "model",
                DecoderDirectory.CPU_VARIANTS);
        session = OrtSessions.open(files.name(), files.onnxFile(), OrtSessions.Options.cpu(1)).session();
        signature = DecoderSignature.read(session, files);
        try (InputStream in = getClass().getResourceAsStream("/io/el4ner/onnx/decoders/tiny-gqa.reference.json")) {
            JsonNode ref = new ObjectMapper().readTree(in);
            prompt = longs(ref.get("prompt"));
            greedy = longs(ref.get("greedy_24"));
        }
    }

    @AfterAll
    void close() throws OrtException {
        session.close();
    }

    private DecodingLoop loop(Set<Long> ends, long prefixCacheBytes, int maxRows) {
        DecoderEngine engine = new DecoderEngine(session, signature, CHUNK, ends);
        return new DecodingLoop(engine, new PrefixCache(prefixCacheBytes, 16, engine), ends,
                signature.vocab(), maxRows, 1L << 30, "test");
    }

    private static DecodeRequest greedy(long[] prompt, int maxNew) {
        return new DecodeRequest(prompt, maxNew, false, 0, new SplittableRandom(0), Long.MAX_VALUE);
    }

    private static DecodingLoop.Outcome run(DecodingLoop loop, DecodeRequest r) {
        loop.submit(r);
        return r.result().join();
    }

    @Test
    void greedy_reproducesTheNumpyReference_aloneAndBesideOtherRequests() {
        try (DecodingLoop loop = loop(Set.of(), 0, 8)) {
            DecodingLoop.Outcome alone = run(loop, greedy(prompt, 24));
            assertThat(alone.tokens()).containsExactly(greedy);
            assertThat(alone.finish()).isEqualTo(DecodingLoop.Finish.MAX_TOKENS);
            assertThat(alone.generated()).isEqualTo(24);

            // The reference request decoded in one batch with longer and shorter prompts, submitted together.
            List<DecodeRequest> batch = new ArrayList<>();
            long[] longer = concat(prompt, prompt, prompt);
            batch.add(greedy(longer, 30));
            batch.add(greedy(prompt, 24));
            batch.add(greedy(Arrays.copyOf(prompt, 3), 10));
            batch.forEach(loop::submit);
            assertThat(batch.get(1).result().join().tokens()).containsExactly(greedy);
            batch.forEach(r -> r.result().join());
            assertThat(loop.stats().widestBatch()).as("rows decoded together").isGreaterThan(1);
        }
    }

    @ParameterizedTest(name = "end token at step {0}")
    @ValueSource(ints = {0, 4, 11})
    void submit_anyEndToken_stopsItsRow(int step) {
        // Two end tokens as generation_config.json may list them: one the model never reaches, then the one it does.
        long reached = greedy[step];
        long never = firstAbsent(greedy);
        try (DecodingLoop loop = loop(Set.of(never, reached), 0, 4)) {
            DecodingLoop.Outcome o = run(loop, greedy(prompt, 24));
            int first = indexOf(greedy, reached);
            assertThat(o.finish()).isEqualTo(DecodingLoop.Finish.END_TOKEN);
            assertThat(o.tokens()).as("the answer, without its end token").containsExactly(Arrays.copyOf(greedy,
                    first));
            assertThat(o.generated()).isEqualTo(first + 1);
        }
    }

    @Test
    void submit_tokenAndContextLimits_stopTheRow() {
        try (DecodingLoop loop = loop(Set.of(), 0, 4)) {
            DecodingLoop.Outcome seven = run(loop, greedy(prompt, 7));
            assertThat(seven.tokens()).containsExactly(Arrays.copyOf(greedy, 7));
            assertThat(seven.finish()).isEqualTo(DecodingLoop.Finish.MAX_TOKENS);
            DecodingLoop.Outcome full = run(loop, new DecodeRequest(prompt, 3, true, 0,
                    new SplittableRandom(0), Long.MAX_VALUE));
            assertThat(full.finish()).isEqualTo(DecodingLoop.Finish.CONTEXT);
            assertThat(full.tokens()).hasSize(3);
        }
    }

    @Test
    void seededSampling_isReproducibleAndDependsOnTheSeed() {
        try (DecodingLoop loop = loop(Set.of(), 0, 8)) {
            long[] a = run(loop, sampled(42)).tokens();
            assertThat(run(loop, sampled(42)).tokens()).as("same seed, alone").containsExactly(a);
            List<DecodeRequest> together = List.of(greedy(concat(prompt, prompt), 20), sampled(42),
                    sampled(43));
            together.forEach(loop::submit);
            assertThat(together.get(1).result().join().tokens()).as("same seed, in a batch").containsExactly(a);
            assertThat(together.get(2).result().join().tokens()).as("another seed").isNotEqualTo(a);
            assertThat(a).as("sampling at temperature 1 leaves the greedy path").isNotEqualTo(greedy);
        }
    }

    private DecodeRequest sampled(long seed) {
        return new DecodeRequest(prompt, 24, false, 1.0, new SplittableRandom(seed), Long.MAX_VALUE);
    }

    @Test
    void sharedPrefix_isReusedAndChangesNothing() {
        long[] first = concat(prompt, prompt, Arrays.copyOf(greedy, 5));
        long[] second = concat(prompt, prompt, Arrays.copyOfRange(greedy, 5, 12));
        long[] plainFirst;
        long[] plainSecond;
        try (DecodingLoop loop = loop(Set.of(), 0, 4)) {
            plainFirst = run(loop, greedy(first, 16)).tokens();
            plainSecond = run(loop, greedy(second, 16)).tokens();
            assertThat(loop.stats().reusedTokens()).isZero();
        }
        try (DecodingLoop loop = loop(Set.of(), 1 << 20, 4)) {
            assertThat(run(loop, greedy(first, 16)).tokens()).containsExactly(plainFirst);
            DecodingLoop.Outcome o = run(loop, greedy(second, 16));
            assertThat(o.tokens()).containsExactly(plainSecond);
            assertThat(o.reused()).as("the 32 shared tokens are 4 whole chunks").isEqualTo(32);
            assertThat(loop.stats().reusedTokens()).isEqualTo(32);
            assertThat(loop.stats().promptTokens()).isEqualTo(first.length + second.length);
            assertThat(loop.stats().prefixCacheBytes()).isPositive();
        }
    }

    @Test
    void cancelledAndExpiredRequests_failAndLeaveTheOthersAlone() throws Exception {
        try (DecodingLoop loop = loop(Set.of(), 0, 8)) {
            DecodeRequest cancelled = greedy(prompt, 1000);
            DecodeRequest expired = new DecodeRequest(prompt, 1000, false, 0, new SplittableRandom(0),
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30));
            DecodeRequest normal = greedy(prompt, 24);
            loop.submit(cancelled);
            loop.submit(expired);
            loop.submit(normal);
            cancelled.cancel();
            assertThatThrownBy(() -> cancelled.result().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(DecodingLoop.StoppedException.class);
            assertThatThrownBy(() -> expired.result().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(DecodingLoop.DeadlineException.class);
            assertThat(normal.result().get(10, TimeUnit.SECONDS).tokens()).containsExactly(greedy);
        }
    }

    @Test
    void close_failsWhatIsInFlightAndRefusesMore() {
        DecodingLoop loop = loop(Set.of(), 0, 2);
        DecodeRequest endless = greedy(prompt, 1500);
        loop.submit(endless);
        loop.close();
        assertThatThrownBy(() -> endless.result().join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(DecodingLoop.StoppedException.class)
                .satisfies(e -> assertThat(((DecodingLoop.StoppedException) e.getCause()).closed()).isTrue());
        assertThatThrownBy(() -> loop.submit(greedy(prompt, 1))).isInstanceOf(IllegalStateException.class);
        loop.close();
    }

    /** Throws {@code failure} the first {@code times} times the loop reaches {@code point}. */
    private static java.util.function.Consumer<String> failAt(String point, int times, Throwable failure) {
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(times);
        return p -> {
            if (p.equals(point) && left.getAndDecrement() > 0) {
                if (failure instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) failure;
            }
        };
    }

    private static Throwable failureOf(DecodeRequest r) {
        assertThatThrownBy(() -> r.result().get(10, TimeUnit.SECONDS)).as("the request fails, it does not hang")
                .isInstanceOf(ExecutionException.class);
        return catchThrowable(() -> r.result().get()).getCause();
    }

    @Test
    void anErrorDuringPrefill_failsThatRequestOnly_andDecodingGoesOn() throws Exception {
        try (DecodingLoop loop = loop(Set.of(), 0, 8)) {
            OutOfMemoryError oom = new OutOfMemoryError("Direct buffer memory (injected)");
            loop.faults = failAt("prefill", 1, oom);
            DecodeRequest first = greedy(prompt, 24);
            DecodeRequest second = greedy(prompt, 24);
            DecodeRequest third = greedy(prompt, 5);
            loop.submit(first);
            loop.submit(second);
            loop.submit(third);
            assertThat(failureOf(first)).isSameAs(oom);
            assertThat(second.result().get(10, TimeUnit.SECONDS).tokens()).containsExactly(greedy);
            assertThat(third.result().get(10, TimeUnit.SECONDS).tokens()).containsExactly(Arrays.copyOf(greedy, 5));
            assertThat(run(loop, greedy(prompt, 24)).tokens()).as("a later request").containsExactly(greedy);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"add", "step", "retain"})
    void aFailureInTheBatch_failsItsRowsOnly_andDecodingGoesOn(String point) throws Exception {
        for (Throwable failure : List.of(new OutOfMemoryError("injected"), new IllegalStateException("injected"),
                new DecoderOutputException("injected"))) {
            try (DecodingLoop loop = loop(Set.of(), 0, 8)) {
                loop.faults = failAt(point, 1, failure);
                DecodeRequest r = greedy(prompt, 24);
                loop.submit(r);
                assertThat(failureOf(r)).as(point + ", " + failure).isSameAs(failure);
                assertThat(run(loop, greedy(prompt, 24)).tokens()).as("after " + failure + " at " + point)
                        .containsExactly(greedy);
            }
        }
    }

    private static long firstAbsent(long[] tokens) {
        for (long id = 0; ; id++) {
            if (indexOf(tokens, id) < 0) {
                return id;
            }
        }
    }

    private static int indexOf(long[] tokens, long id) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == id) {
                return i;
            }
        }
        return -1;
    }

    private static long[] concat(long[]... parts) {
        long[] out = new long[0];
        for (long[] p : parts) {
            int n = out.length;
            out = Arrays.copyOf(out, n + p.length);
            System.arraycopy(p, 0, out, n, p.length);
        }
        return out;
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
