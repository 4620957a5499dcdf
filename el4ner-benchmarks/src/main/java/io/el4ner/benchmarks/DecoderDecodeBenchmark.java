package io.el4ner.benchmarks;

import ai.onnxruntime.OrtException;
import io.el4ner.onnx.internal.DecoderEngine;
import io.el4ner.onnx.internal.TokenSampler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Decode speed on the tiny-gqa fixture (see {@link DecoderFixture}): 128 new tokens for each of {@code batch}
 * prompts ({@code stage}: first-stage prompts of about 450 tokens; {@code short}: the sentences alone, 65 to 107)
 * whose cache was computed before the measurement; one benchmark call is the 128 decode steps of the whole batch,
 * and {@code tokens} counts the tokens they generate (batch × 128) per second. Contenders, on one session each with
 * the same options ({@code threads} intra-op threads):
 * <ul>
 *   <li>{@code el4ner}: el4ner's KV-cache engine as its decoding loop uses it: the prefilled rows join a
 *       {@link DecoderEngine.Batch} (one copy into a left-padded cache), then each step is {@code Batch.step} and
 *       {@link TokenSampler} (greedy) for each row.</li>
 *   <li>{@code no-cache}: the same tokens without a KV cache: each step recomputes every row's whole sequence
 *       ({@link DecoderEngine#fullLogits}, el4ner's reference) and picks the last position's argmax.</li>
 *   <li>{@code ort-alone}: the bound, {@link OrtAloneDecoder}: a minimal loop of ONNX Runtime calls feeding
 *       {@code present.*} back as {@code past_key_values.*}, no el4ner code.</li>
 * </ul>
 * Set-up decodes the batch with {@code el4ner} and {@code ort-alone} once and prints whether their tokens agree.
 * Run with: {@code ./mvnw -q -o -pl el4ner-benchmarks -am package -DskipTests && java -jar
 * el4ner-benchmarks/target/benchmarks.jar DecoderDecode -f 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class DecoderDecodeBenchmark {
    private static final int NEW_TOKENS = DecoderContenders.NEW_TOKENS;

    /** The ONNX file under onnx/: {@code model} (float32, external data) or {@code model_q4} (MatMulNBits). */
    @Param({"model", "model_q4"})
    String variant;

    /** Rows decoded together. */
    @Param({"1", "8"})
    int batch;

    /** Who decodes (see the class comment). */
    @Param({"el4ner", "no-cache", "ort-alone"})
    String contender;

    /** The prompts: {@code stage} (first-stage prompts, about 450 tokens) or {@code short} (the sentence alone). */
    @Param({"stage", "short"})
    String prompt;

    /** ONNX Runtime's intra-op threads. */
    @Param({"1"})
    int threads;

    private DecoderContenders decoders;

    /** Loads the model and prefills the prompts for every contender. */
    @Setup
    public void setUp() throws OrtException {
        decoders = new DecoderContenders(variant, batch, threads, prompt);
        System.out.println();
        System.out.println(decoders.agreement());
    }

    /** Closes what set-up opened. */
    @TearDown
    public void tearDown() {
        decoders.close();
    }

    /**
     * @param counter counts the tokens
     * @return the last token, so that nothing is optimised away
     */
    @Benchmark
    public long decode(TokenCounter counter) throws OrtException {
        long last = switch (contender) {
            case "el4ner" -> decoders.el4ner()[batch - 1][NEW_TOKENS];
            case "ort-alone" -> decoders.ortAlone()[batch - 1][NEW_TOKENS];
            case "no-cache" -> decoders.noCache();
            default -> throw new IllegalArgumentException(contender);
        };
        counter.tokens += (long) batch * NEW_TOKENS;
        return last;
    }
}
