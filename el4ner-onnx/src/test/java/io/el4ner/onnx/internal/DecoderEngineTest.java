package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.el4ner.onnx.DecoderFixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The KV-cache engine against its own reference, full recomputation without a cache, on real ONNX Runtime sessions of
 * the fixtures: single prompts, left-padded batches whose rows join and leave, and prompts continued from a cached
 * prefix. A small chunk (16) makes prompts cross several chunk boundaries.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecoderEngineTest {
    private static final float TOLERANCE = 1e-4f;
    private static final int CHUNK = 16;

    private final Map<String, OrtSession> sessions = new HashMap<>();
    private final Map<String, DecoderSignature> signatures = new HashMap<>();

    static Stream<String> models() {
        return Stream.of("tiny-mha/model", "tiny-gqa/model", "tiny-gqa/model_q4");
    }

    /** An engine on a session shared by the tests: {@code model} is the fixture, '/' and the variant. */
    private DecoderEngine engine(String model, Set<Long> breakAfter) throws OrtException {
        if (!sessions.containsKey(model)) {
            String[] parts = model.split("/");
            DecoderDirectory files = DecoderDirectory.read(DecoderFixtures.dir(parts[0]), parts[1],
                    DecoderDirectory.CPU_VARIANTS);
            OrtSession s = OrtSessions.open(model, files.onnxFile(), OrtSessions.Options.cpu(1)).session();
            sessions.put(model, s);
            signatures.put(model, DecoderSignature.read(s, files));
        }
        return new DecoderEngine(sessions.get(model), signatures.get(model), CHUNK, breakAfter);
    }

    private DecoderEngine engine(String model) throws OrtException {
        return engine(model, Set.of());
    }

    @AfterAll
    void closeSessions() throws OrtException {
        for (OrtSession s : sessions.values()) {
            s.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void prefillAndSteps_equalFullRecomputation(String model) throws OrtException {
        DecoderEngine engine = engine(model);
        long[] prompt = tokens(new Random(1), 45, engine);
        DecoderEngine.Prefilled p = engine.prefill(prompt, null, () -> false);
        assertThat(p.kv().length()).isEqualTo(45);
        assertClose(p.logits(), engine.fullLogits(new long[][] {prompt})[0], model + " after the prompt");
        long[] seq = prompt;
        try (DecoderEngine.Batch batch = engine.newBatch()) {
            batch.add(List.of(p.kv()));
            long next = argmax(p.logits());
            for (int step = 0; step < 12; step++) {
                seq = append(seq, next);
                float[] cached = batch.step(new long[] {next})[0];
                assertClose(cached, engine.fullLogits(new long[][] {seq})[0], model + " step " + step);
                next = argmax(cached);
            }
            assertThat(batch.realLength(0)).isEqualTo(seq.length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void leftPaddedBatch_equalsFullRecomputationAndRowsAlone(String model) throws OrtException {
        DecoderEngine engine = engine(model);
        Random random = new Random(2);
        long[][] seqs = {tokens(random, 5, engine), tokens(random, 37, engine), tokens(random, 20, engine)};
        List<DecoderEngine.RowKv> rows = new ArrayList<>();
        long[] next = new long[3];
        for (int r = 0; r < 3; r++) {
            DecoderEngine.Prefilled p = engine.prefill(seqs[r], null, () -> false);
            rows.add(p.kv());
            next[r] = argmax(p.logits());
        }
        try (DecoderEngine.Batch batch = engine.newBatch()) {
            batch.add(rows);
            assertThat(batch.pastLength()).isEqualTo(37);
            for (int step = 0; step < 8; step++) {
                if (step == 3) {
                    // The longest row leaves: the padding only it needed goes.
                    batch.retain(new boolean[] {true, false, true});
                    seqs = new long[][] {seqs[0], seqs[2]};
                    next = new long[] {next[0], next[2]};
                    assertThat(batch.pastLength()).isEqualTo(23);
                }
                if (step == 5) {
                    // A new, longer row joins: the others get more padding.
                    long[] joining = tokens(random, 50, engine);
                    DecoderEngine.Prefilled p = engine.prefill(joining, null, () -> false);
                    batch.add(List.of(p.kv()));
                    seqs = new long[][] {seqs[0], seqs[1], joining};
                    next = new long[] {next[0], next[1], argmax(p.logits())};
                }
                for (int r = 0; r < seqs.length; r++) {
                    seqs[r] = append(seqs[r], next[r]);
                }
                float[][] cached = batch.step(next);
                float[][] full = engine.fullLogits(seqs);
                for (int r = 0; r < seqs.length; r++) {
                    assertClose(cached[r], full[r], model + " step " + step + " row " + r + " vs padded batch");
                    assertClose(cached[r], engine.fullLogits(new long[][] {seqs[r]})[0],
                            model + " step " + step + " row " + r + " vs the row alone");
                    next[r] = argmax(cached[r]);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void reusedPrefix_equalsFullRecomputationAndTheUncachedPrefill(String model) throws OrtException {
        DecoderEngine engine = engine(model);
        Random random = new Random(3);
        long[] first = tokens(random, 60, engine);
        long[] second = Arrays.copyOf(first, 71);
        long[] tail = tokens(random, 71 - 40, engine);
        System.arraycopy(tail, 0, second, 40, tail.length); // shares 40 tokens: two whole chunks of 16
        PrefixCache cache = new PrefixCache(1 << 20, 8, engine);
        cache.offer(first, engine.prefill(first, null, () -> false).kv());
        assertThat(cache.bytes()).isEqualTo(48 * engine.signature().bytesPerToken());

        PrefixCache.Hit hit = cache.lookup(second);
        assertThat(hit).isNotNull();
        assertThat(hit.length()).isEqualTo(32);
        DecoderEngine.Prefilled reused = engine.prefill(second, hit.kv(), () -> false);
        DecoderEngine.Prefilled fresh = engine.prefill(second, null, () -> false);
        assertClose(reused.logits(), engine.fullLogits(new long[][] {second})[0], model + " from a reused prefix");
        assertThat(reused.logits()).as("a reused prefix changes nothing, to the bit").containsExactly(fresh.logits());

        // The whole prompt cached: all but its last chunk is reused, and the answer is still the same.
        cache.offer(second, reused.kv());
        PrefixCache.Hit again = cache.lookup(second);
        assertThat(again.length()).isEqualTo(64);
        assertThat(engine.prefill(second, again.kv(), () -> false).logits()).containsExactly(fresh.logits());
        assertThat(cache.size()).as("the first prompt's entry is kept beside the second's").isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void reusedPrefix_endsAtAMessageBoundary(String model) throws OrtException {
        long end = 7; // the end token that closes a message
        DecoderEngine engine = engine(model, Set.of(end));
        Random random = new Random(4);
        long[] system = tokens(random, 21, engine);
        system[20] = end;
        long[] first = concat(system, tokens(random, 30, engine));
        long[] second = concat(system, tokens(random, 25, engine));
        first[21] = 1;
        second[21] = 2; // the prompts differ right after the message; no other end token in them
        for (int i = 0; i < 20; i++) {
            system[i] = first[i] = second[i] = system[i] == end ? 8 : system[i];
        }
        PrefixCache cache = new PrefixCache(1 << 20, 8, engine);
        cache.offer(first, engine.prefill(first, null, () -> false).kv());
        PrefixCache.Hit hit = cache.lookup(second);
        assertThat(hit.length()).as("the message, not a multiple of %d", CHUNK).isEqualTo(21);
        DecoderEngine.Prefilled reused = engine.prefill(second, hit.kv(), () -> false);
        assertThat(reused.logits()).containsExactly(engine.prefill(second, null, () -> false).logits());
        assertClose(reused.logits(), engine.fullLogits(new long[][] {second})[0], model + " after a message");
    }

    @org.junit.jupiter.api.Test
    void aPromptLongerThanThePrefixBudget_storesTheLongestBoundaryPrefixThatFits() throws OrtException {
        DecoderEngine engine = engine("tiny-gqa/model");
        long perToken = engine.signature().bytesPerToken();
        PrefixCache cache = new PrefixCache(40 * perToken, 16, engine);
        Random random = new Random(5);
        long[] system = tokens(random, 17, engine);
        long[] longer = concat(system, tokens(random, 43, engine));
        long[] third = concat(system, tokens(random, 13, engine));
        cache.offer(system, engine.prefill(system, null, () -> false).kv());
        assertThat(cache.bytes()).as("the 17-token prompt, to its boundary").isEqualTo(16 * perToken);

        // 60 tokens, boundary 48: more than the budget of 40, so the last boundary within it, 32, is stored, and it
        // replaces the 16 tokens it extends.
        DecoderEngine.Prefilled p = engine.prefill(longer, null, () -> false);
        cache.offer(longer, p.kv());
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(32 * perToken);
        assertThat(cache.lookup(third).length()).as("a prompt sharing the 17 tokens still reuses 16").isEqualTo(16);
        PrefixCache.Hit hit = cache.lookup(longer);
        assertThat(hit.length()).isEqualTo(32);
        assertThat(engine.prefill(longer, hit.kv(), () -> false).logits()).as("and the prefix is right")
                .containsExactly(p.logits());

        // Another prompt of that length: stored the same way, the least recently used entry making room.
        long[] other = tokens(random, 60, engine);
        cache.offer(other, engine.prefill(other, null, () -> false).kv());
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.lookup(other).length()).isEqualTo(32);
        assertThat(cache.lookup(longer)).isNull();
    }

    @org.junit.jupiter.api.Test
    void aFailureWhileBuildingKvTensors_closesTheTensorsAlreadyMade() throws OrtException {
        DecoderEngine engine = engine("tiny-gqa/model");
        DecoderSignature sig = engine.signature();
        int length = 5;
        int bytes = sig.kvHeads() * length * sig.headDim() * sig.kvElementBytes();
        byte[][] tensors = new byte[2 * sig.layers()][];
        Arrays.fill(tensors, new byte[bytes]);
        tensors[1] = new byte[bytes / 2]; // the first layer's values are cut short: the second tensor fails
        DecoderEngine.RowKv damaged = new DecoderEngine.RowKv(tensors, length);
        List<AutoCloseable> made = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        List<AutoCloseable> owner = new ArrayList<>() {
            @Override
            public boolean add(AutoCloseable value) {
                made.add(value);
                // what the engine hands over closes the tensor (and gives its buffer back): count the closes
                return super.add(() -> {
                    closed.incrementAndGet();
                    value.close();
                });
            }
        };
        assertThatThrownBy(() -> engine.tensors(List.of(damaged), new int[0], null, length, owner))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(made).as("the key tensor made before the failure").hasSize(1);
        assertThat(closed).as("closed again by the engine").hasValue(1);
        assertThat(owner).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void withoutPositionIds_aBatchRefusesRowsOfDifferentLengths() throws OrtException {
        DecoderEngine withIds = engine("tiny-gqa/model");
        DecoderSignature s = withIds.signature();
        DecoderEngine without = new DecoderEngine(sessions.get("tiny-gqa/model"), new DecoderSignature(s.layers(),
                s.kvHeads(), s.headDim(), s.kvType(), s.logitsType(), s.vocab(), false), CHUNK, Set.of());
        Random random = new Random(6);
        DecoderEngine.RowKv five = withIds.prefill(tokens(random, 5, withIds), null, () -> false).kv();
        DecoderEngine.RowKv seven = withIds.prefill(tokens(random, 7, withIds), null, () -> false).kv();
        DecoderEngine.RowKv alsoFive = withIds.prefill(tokens(random, 5, withIds), null, () -> false).kv();
        try (DecoderEngine.Batch batch = without.newBatch()) {
            batch.add(List.of(five, alsoFive));
            assertThatThrownBy(() -> batch.add(List.of(seven))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("without position_ids").hasMessageContaining("[5, 5, 7]");
            assertThat(batch.rows()).as("unchanged").isEqualTo(2);
        }
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long[] tokens(Random random, int n, DecoderEngine engine) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextInt(engine.signature().vocab());
        }
        return out;
    }

    private static long[] append(long[] seq, long token) {
        long[] out = Arrays.copyOf(seq, seq.length + 1);
        out[seq.length] = token;
        return out;
    }

    private static int argmax(float[] logits) {
        return TokenSampler.next(logits, logits.length, 0, null);
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        float worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as("largest logit difference, " + what).isLessThanOrEqualTo(TOLERANCE);
    }
}
