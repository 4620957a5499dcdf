package io.el4ner.benchmarks;

import ai.onnxruntime.OrtException;
import io.el4ner.onnx.internal.DecoderEngine;
import io.el4ner.onnx.internal.PrefixCache;
import io.el4ner.onnx.internal.TokenSampler;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Prefill speed on the tiny-gqa fixture (see {@link DecoderFixture}), and what prefix reuse saves: each call
 * prefills the <em>second</em> stage's prompt of one of 8 sentences (about 470 tokens) and picks its first token;
 * {@code tokens} counts the prompt tokens per second, reused ones included. Both stages' prompts share their system
 * message (instructions, types, demonstrations: about 80% of the tokens); they differ in the user message.
 * <ul>
 *   <li>{@code reuse = none}: the whole prompt is computed.</li>
 *   <li>{@code reuse = prefix}: the first stage's prompt of the same sentence was prefilled before the call (not
 *       timed), so its cache is there to be reused up to the end of the shared system message.</li>
 * </ul>
 * Contenders, on one session each with the same options:
 * <ul>
 *   <li>{@code el4ner}: what el4ner's decoding loop does for a new request: {@link PrefixCache#lookup}, then
 *       {@link DecoderEngine#prefill} (in chunks of 64 tokens that end at message boundaries, from the cached prefix
 *       when there is one), then {@link PrefixCache#offer}, then a greedy {@link TokenSampler} pick. With
 *       {@code none} the cache has no budget (the member's {@code prefixCacheBytes(0)}); with {@code prefix} it holds
 *       the first stage's prompt alone when the call starts.</li>
 *   <li>{@code ort-alone}: the bound, {@link OrtAloneDecoder}: the whole prompt in one run ({@code none}), or the
 *       tokens after the same reused prefix in one run on top of a prefilled cache of that prefix ({@code prefix}).</li>
 * </ul>
 * Set-up prints the prompt lengths, the tokens the stages share and the tokens el4ner reuses. Run with:
 * {@code ./mvnw -q -o -pl el4ner-benchmarks -am package -DskipTests && java -jar
 * el4ner-benchmarks/target/benchmarks.jar DecoderPrefill -f 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
public class DecoderPrefillBenchmark {
    private static final int PAIRS = 8;

    /** The ONNX file under onnx/. */
    @Param({"model", "model_q4"})
    String variant;

    /** Whether the first stage's cache is there to reuse. */
    @Param({"none", "prefix"})
    String reuse;

    /** Who prefills (see the class comment). */
    @Param({"el4ner", "ort-alone"})
    String contender;

    /** ONNX Runtime's intra-op threads. */
    @Param({"1"})
    int threads;

    private DecoderFixture.Model model;
    private DecoderEngine engine;
    private PrefixCache cache;
    private OrtAloneDecoder alone;
    private FloatBuffer logits;
    private long[][] first;
    private long[][] second;
    private DecoderEngine.RowKv[] firstKv;
    private int[] reusable;
    private OrtAloneDecoder.Prefilled[] prefixes;
    private long[][] suffixes;
    private int pair;
    private final SplittableRandom random = new SplittableRandom(1);

    /** Prompt tokens prefilled, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Tokens {
        /** Prompt tokens in the iteration. */
        public long tokens;

        /** Resets the count. */
        @Setup(Level.Iteration)
        public void reset() {
            tokens = 0;
        }
    }

    /** Loads the model, tokenizes both stages' prompts and prefills the first stages. */
    @Setup
    public void setUp() throws OrtException {
        model = new DecoderFixture.Model(variant, threads);
        engine = model.engine();
        alone = new OrtAloneDecoder(model.session);
        first = new long[PAIRS][];
        second = new long[PAIRS][];
        firstKv = new DecoderEngine.RowKv[PAIRS];
        reusable = new int[PAIRS];
        int[] shared = new int[PAIRS];
        int longest = 0;
        PrefixCache probe = new PrefixCache(256L << 20, 64, engine);
        for (int i = 0; i < PAIRS; i++) {
            String sentence = DecoderFixture.SENTENCES.get(i);
            first[i] = model.tokens(DecoderFixture.firstStage(sentence));
            second[i] = model.tokens(DecoderFixture.secondStage(sentence));
            longest = Math.max(longest, second[i].length);
            firstKv[i] = engine.prefill(first[i], null, () -> false).kv();
            int n = Math.min(first[i].length, second[i].length);
            int m = Arrays.mismatch(first[i], 0, n, second[i], 0, n);
            shared[i] = m < 0 ? n : m;
            probe.clear();
            probe.offer(first[i], firstKv[i]);
            PrefixCache.Hit hit = probe.lookup(second[i]);
            reusable[i] = hit == null ? 0 : hit.length();
        }
        logits = alone.prefillBuffer(1, longest);
        cache = new PrefixCache("prefix".equals(reuse) ? 256L << 20 : 0, 64, engine);
        if ("ort-alone".equals(contender) && "prefix".equals(reuse)) {
            prefixes = new OrtAloneDecoder.Prefilled[PAIRS];
            suffixes = new long[PAIRS][];
            for (int i = 0; i < PAIRS; i++) {
                prefixes[i] = alone.prefill(new long[][] {Arrays.copyOf(second[i], reusable[i])}, logits);
                suffixes[i] = Arrays.copyOfRange(second[i], reusable[i], second[i].length);
            }
        }
        long total = Arrays.stream(second).mapToLong(p -> p.length).sum();
        long reused = Arrays.stream(reusable).sum();
        System.out.printf("%n[%s] second-stage prompts %s tokens; shared with the first stage %s; reusable (to a "
                + "boundary) %s: %.1f%% of the second stages' tokens%n", variant,
                Arrays.toString(Arrays.stream(second).mapToInt(p -> p.length).toArray()), Arrays.toString(shared),
                Arrays.toString(reusable), 100.0 * reused / total);
    }

    /** Picks the next pair and, with reuse, leaves the cache holding its first stage only. */
    @Setup(Level.Invocation)
    public void nextPair() {
        pair = (pair + 1) % PAIRS;
        if ("el4ner".equals(contender) && "prefix".equals(reuse)) {
            cache.clear();
            cache.offer(first[pair], firstKv[pair]);
        }
    }

    /** Closes what set-up opened. */
    @TearDown
    public void tearDown() {
        if (prefixes != null) {
            for (OrtAloneDecoder.Prefilled p : prefixes) {
                p.close();
            }
        }
        model.close();
    }

    /**
     * @param counter counts the prompt tokens
     * @return the first token after the prompt
     */
    @Benchmark
    public long prefill(Tokens counter) throws OrtException {
        long[] prompt = second[pair];
        counter.tokens += prompt.length;
        if ("el4ner".equals(contender)) {
            PrefixCache.Hit hit = cache.lookup(prompt);
            DecoderEngine.Prefilled p = engine.prefill(prompt, hit == null ? null : hit.kv(), () -> false);
            cache.offer(prompt, p.kv());
            return TokenSampler.next(p.logits(), model.pickableIds, 0, random);
        }
        try (OrtAloneDecoder.Prefilled p = prefixes == null ? alone.prefill(new long[][] {prompt}, logits)
                : alone.extend(prefixes[pair], suffixes[pair], logits)) {
            return p.next[0];
        }
    }
}
