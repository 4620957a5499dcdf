package io.el4ner.benchmarks;

import ai.onnxruntime.OrtException;
import io.el4ner.onnx.internal.DecoderEngine;
import io.el4ner.onnx.internal.PrefixCache;
import io.el4ner.onnx.internal.TokenSampler;
import java.util.concurrent.TimeUnit;
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
 * prefills the <em>second</em> stage's prompt of one of 8 sentences ({@link DecoderPrefills}; about 500 tokens) and
 * picks its first token; {@code tokens} counts the prompt tokens per second, reused ones included. Both stages'
 * prompts share their system message (instructions, types, demonstrations: about 80% of the tokens); they differ in
 * the user message.
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
 *       tokens after the same reused prefix in one run on top of a prefilled cache of that prefix
 *       ({@code prefix}).</li>
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
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class DecoderPrefillBenchmark {
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

    private DecoderPrefills prefills;
    private boolean reusing;
    private boolean el4ner;
    private int pair;

    /** Loads the model, tokenizes both stages' prompts and prefills the first stages. */
    @Setup
    public void setUp() throws OrtException {
        prefills = new DecoderPrefills(variant, threads);
        reusing = "prefix".equals(reuse);
        el4ner = "el4ner".equals(contender);
        System.out.println();
        System.out.println(prefills.describe());
    }

    /** Picks the next pair and, with reuse, leaves the cache holding its first stage only. */
    @Setup(Level.Invocation)
    public void nextPair() {
        pair = (pair + 1) % DecoderPrefills.PAIRS;
        if (el4ner) {
            prefills.prepare(pair, reusing);
        }
    }

    /** Closes what set-up opened. */
    @TearDown
    public void tearDown() {
        prefills.close();
    }

    /**
     * @param counter counts the prompt tokens
     * @return the first token after the prompt
     */
    @Benchmark
    public long prefill(TokenCounter counter) throws OrtException {
        counter.tokens += prefills.second[pair].length;
        return el4ner ? prefills.el4ner(pair, reusing) : prefills.ortAlone(pair, reusing);
    }
}
