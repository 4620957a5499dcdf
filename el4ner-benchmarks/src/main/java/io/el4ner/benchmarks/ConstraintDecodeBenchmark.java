package io.el4ner.benchmarks;

import ai.onnxruntime.OrtException;
import io.el4ner.onnx.internal.DecoderEngine;
import io.el4ner.onnx.internal.TokenSampler;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the constraint is compared with (issue 13), in the same JMH run as {@link ConstraintMaskBenchmark}: the decode
 * step of the fixture model with the same vocabulary ({@code small}: tiny-gqa, 4,096 ids; {@code qwen}: tiny-gqa's
 * architecture over the Qwen3 tokenizer's 151,669 ids, made by {@code el4ner-benchmarks/fixtures/qwen-vocab.sh}).
 * The weights are random and the model tiny (2 layers, hidden size 64), so its step is far cheaper than a real
 * model's: the ratio of the constraint's cost to it is a worst case.
 * <ul>
 *   <li>{@code decodeStep}: one new token, batch 1, on the cache of a first-stage prompt (the
 *       {@link ConstraintFixture#CONLL} sentence, about 450 tokens with the small tokenizer): {@code Batch.step} of
 *       el4ner's engine and the greedy {@link TokenSampler} pick, as its decoding loop does. Each call decodes
 *       {@value #STEPS} tokens from the prefilled prompt in a new batch (the cache copied in once) and counts as
 *       {@value #STEPS} operations.</li>
 *   <li>{@code sampleUnmasked}: {@link TokenSampler} (greedy) alone on a full row of logits, no mask: the
 *       baseline of {@link ConstraintMaskBenchmark#sampleMasked}.</li>
 * </ul>
 * Set-up prints the prompt's tokens. Run with {@link ConstraintMaskBenchmark}: {@code java -jar
 * el4ner-benchmarks/target/benchmarks.jar Constraint -p vocab=qwen}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class ConstraintDecodeBenchmark {
    /** Decode steps per call of {@code decodeStep}. */
    static final int STEPS = 16;

    /** The vocabulary: {@code small} (4,096 ids) or {@code qwen} (151,669 ids). */
    @Param({"small", "qwen"})
    String vocab;

    /** The ONNX file under onnx/: {@code model} (float32) or {@code model_q4} (MatMulNBits). */
    @Param({"model", "model_q4"})
    String variant;

    private DecoderFixture.Model model;
    private DecoderEngine engine;
    private DecoderEngine.RowKv prompt;
    private long first;
    private float[] logits;
    private final long[] next = new long[1];
    private final SplittableRandom random = new SplittableRandom(1);

    /** Loads the model and prefills the prompt. */
    @Setup
    public void setUp() throws OrtException {
        model = new DecoderFixture.Model(ConstraintFixture.dir(vocab), variant, 1);
        engine = model.engine();
        long[] tokens = model.tokens(DecoderFixture.firstStage(ConstraintFixture.CONLL.text()));
        DecoderEngine.Prefilled p = engine.prefill(tokens, null, () -> false);
        prompt = p.kv();
        first = TokenSampler.next(p.logits(), model.pickableIds, 0, random);
        logits = ConstraintFixture.logits(model.pickableIds);
        System.out.printf("%n[%s, %s] %,d token ids (logits row %,d); prompt of %d tokens; weights %,d bytes%n", vocab,
                model.files.variant(), model.pickableIds, model.signature.vocab(), tokens.length,
                model.weightBytes());
    }

    /** Closes what set-up opened. */
    @TearDown
    public void tearDown() {
        model.close();
    }

    /** @return the last token decoded */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public long decodeStep() throws OrtException {
        next[0] = first;
        try (DecoderEngine.Batch b = engine.newBatch()) {
            b.add(List.of(prompt));
            for (int s = 0; s < STEPS; s++) {
                float[][] row = b.step(next);
                next[0] = TokenSampler.next(row[0], model.pickableIds, 0, random);
            }
        }
        return next[0];
    }

    /** @return the greedy pick on the whole row */
    @Benchmark
    public int sampleUnmasked() {
        return TokenSampler.next(logits, logits.length, null, 0, random);
    }
}
