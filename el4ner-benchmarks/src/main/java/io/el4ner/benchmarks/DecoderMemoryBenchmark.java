package io.el4ner.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory-read bound of a decode step of {@link DecoderDecodeBenchmark}: a step must at least read the weights it
 * multiplies by and the KV cache it attends to. Two Java array reads, one thread (as the decoders run):
 * <ul>
 *   <li>{@code dram}: one pass over a 512 MiB long array, far larger than the caches: the machine's memory
 *       bandwidth ({@code 512 MiB / time}).</li>
 *   <li>{@code stepBytes}: one pass over a long array of exactly the bytes a decode step reads, for each
 *       {@code variant} and {@code batch}: the weights except the embedding table (a step gathers one row of it per
 *       token) plus the KV cache at the mean past length of the 128 steps, padding included ({@code batch × (longest
 *       prompt + 64.5) × 512} bytes). The array is read again and again, so it is as warm in the caches as the
 *       model's weights are: the read time of a step's bytes from the cache level they fit in.</li>
 * </ul>
 * Divide a step's bytes (set-up prints them) by the {@code dram} bandwidth for the read time of a model that does not
 * fit the caches. The sum is a plain loop with eight accumulators. Run with:
 * {@code ./mvnw -q -o -pl el4ner-benchmarks -am package -DskipTests && java -jar
 * el4ner-benchmarks/target/benchmarks.jar DecoderMemory -f 1}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class DecoderMemoryBenchmark {
    /** A decode step's bytes. */
    @State(Scope.Benchmark)
    public static class Step {
        /** The ONNX file under onnx/. */
        @Param({"model", "model_q4"})
        String variant;

        /** Rows decoded together. */
        @Param({"1", "8"})
        int batch;

        /** The prompts, as in {@link DecoderDecodeBenchmark}. */
        @Param({"stage", "short"})
        String prompt;

        long[] bytes;

        /** Sizes the array from the model's files and the decode benchmark's prompts. */
        @Setup
        public void setUp() {
            long weights;
            long kv;
            try (DecoderFixture.Model model = new DecoderFixture.Model(variant, 1)) {
                int vocab = model.signature.vocab();
                int hidden = hiddenSize(model);
                // The embedding table is read one row per token, not whole: float32, or int8 rows with a float scale.
                long table = variant.contains("q4") ? (long) vocab * hidden + vocab * 4L : (long) vocab * hidden * 4;
                weights = model.weightBytes() - table;
                int longest = 0;
                for (int r = 0; r < batch; r++) {
                    longest = Math.max(longest, model.tokens(DecoderFixture.chat(prompt,
                            DecoderFixture.SENTENCES.get(r))).length);
                }
                kv = Math.round(batch * (longest + (DecoderContenders.NEW_TOKENS + 1) / 2.0)
                        * model.signature.bytesPerToken());
            }
            System.out.printf("%n[%s, batch %d, %s prompts] bytes read per decode step: weights %,d + KV %,d = %,d%n",
                    variant, batch, prompt, weights, kv, weights + kv);
            bytes = filled((int) ((weights + kv) / 8));
        }
    }

    /** Far more bytes than the caches hold. */
    @State(Scope.Benchmark)
    public static class Dram {
        long[] bytes;

        /** Fills 512 MiB. */
        @Setup
        public void setUp() {
            bytes = filled(64 << 20);
        }
    }

    /**
     * @param step the step's bytes
     * @return a sum of them
     */
    @Benchmark
    public long stepBytes(Step step) {
        return sum(step.bytes);
    }

    /**
     * @param dram 512 MiB
     * @return a sum of them
     */
    @Benchmark
    public long dram(Dram dram) {
        return sum(dram.bytes);
    }

    /** @return {@code hidden_size} of the model's config.json */
    private static int hiddenSize(DecoderFixture.Model model) {
        try {
            return new ObjectMapper().readTree(model.files.dir().resolve("config.json").toFile()).path("hidden_size")
                    .asInt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long[] filled(int longs) {
        long[] a = new long[longs];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextLong();
        }
        return a;
    }

    /**
     * Sums the array with eight independent accumulators: the fastest plain loop tried here (C2 does not vectorise a
     * float sum, and a vectorised pass adding float blocks into accumulators read half as fast).
     */
    static long sum(long[] a) {
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        long s4 = 0;
        long s5 = 0;
        long s6 = 0;
        long s7 = 0;
        int i = 0;
        for (; i + 7 < a.length; i += 8) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        for (; i < a.length; i++) {
            s0 += a[i];
        }
        return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }
}
