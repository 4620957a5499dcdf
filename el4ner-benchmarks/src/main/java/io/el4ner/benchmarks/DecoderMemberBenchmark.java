package io.el4ner.benchmarks;

import ai.onnxruntime.OrtException;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.onnx.OnnxDecoderMember;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * A whole answer through the public API on the tiny-gqa fixture (see {@link DecoderFixture}): {@code batch}
 * first-stage requests (about 450 prompt tokens each) answered with 128 new tokens each, prefill included;
 * {@code tokens} counts the new tokens per second.
 * <ul>
 *   <li>{@code el4ner}: {@link OnnxDecoderMember#chat} (batch 1) or {@link OnnxDecoderMember#chatAll} (batch 8):
 *       chat template, tokenizer, the decoding thread with continuous batching, stop checks, detokenizing. The
 *       prefix cache is off ({@code prefixCacheBytes(0)}), so each call computes its prompts as the other contender
 *       does; greedy decoding, {@code maxTokens} 128.</li>
 *   <li>{@code ort-alone}: the bound, {@link OrtAloneDecoder} on the same prompts tokenized before the measurement:
 *       one padded prefill run, then 127 decode steps.</li>
 * </ul>
 * The sentences are those of the fixture's list whose greedy answer runs the full 128 tokens without an end token
 * (the weights are random); set-up checks that every el4ner answer has 128 tokens. Run with:
 * {@code ./mvnw -q -o -pl el4ner-benchmarks -am package -DskipTests && java -jar
 * el4ner-benchmarks/target/benchmarks.jar DecoderMember -f 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class DecoderMemberBenchmark {
    private static final int NEW_TOKENS = DecoderContenders.NEW_TOKENS;

    /** The ONNX file under onnx/. */
    @Param({"model", "model_q4"})
    String variant;

    /** Requests per call. */
    @Param({"1", "8"})
    int batch;

    /** Who answers (see the class comment). */
    @Param({"el4ner", "ort-alone"})
    String contender;

    /** ONNX Runtime's intra-op threads. */
    @Param({"1"})
    int threads;

    private DecoderFixture.Model model;
    private OnnxDecoderMember member;
    private List<ChatRequest> requests;
    private OrtAloneDecoder alone;
    private long[][] prompts;
    private FloatBuffer logits;
    private long[][] out;

    /** Picks sentences that decode 128 tokens, and loads the contender. */
    @Setup
    public void setUp() throws OrtException {
        model = new DecoderFixture.Model(variant, threads);
        alone = new OrtAloneDecoder(model.session);
        List<String> chosen = new ArrayList<>();
        List<long[]> tokenized = new ArrayList<>();
        for (String s : DecoderFixture.SENTENCES) {
            long[] p = model.tokens(DecoderFixture.firstStage(s));
            long[][] one = new long[1][NEW_TOKENS];
            try (OrtAloneDecoder.Prefilled f = alone.prefill(new long[][] {p}, alone.prefillBuffer(1, p.length))) {
                alone.decode(f, NEW_TOKENS - 1, one);
            }
            if (Arrays.stream(one[0]).noneMatch(t -> model.files.endTokens().contains(t))) {
                chosen.add(s);
                tokenized.add(p);
            }
            if (chosen.size() == batch) {
                break;
            }
        }
        if (chosen.size() < batch) {
            throw new IllegalStateException("only " + chosen.size() + " of the fixture's sentences decode "
                    + NEW_TOKENS + " tokens without an end token; " + batch + " are needed");
        }
        prompts = tokenized.toArray(long[][]::new);
        logits = alone.prefillBuffer(batch, Arrays.stream(prompts).mapToInt(p -> p.length).max().orElseThrow());
        out = new long[batch][NEW_TOKENS];
        requests = new ArrayList<>();
        for (String s : chosen) {
            requests.add(new ChatRequest(DecoderFixture.firstStage(s), new GenerationOptions(0, NEW_TOKENS, false),
                    new TaskContext(Stage.EXTRACTION, s, List.of(), List.of(), List.of(), List.of())));
        }
        if ("el4ner".equals(contender)) {
            member = OnnxDecoderMember.builder().directory(DecoderFixture.dir()).variant(variant).threads(threads)
                    .maxBatchSize(8).prefixCacheBytes(0).build();
            for (ChatResponse r : member.chatAll(requests)) {
                if (r.usage().completionTokens() != NEW_TOKENS) {
                    throw new IllegalStateException("an answer has " + r.usage().completionTokens() + " tokens, not "
                            + NEW_TOKENS);
                }
            }
        }
        System.out.printf("%n[%s, batch %d] prompt tokens %s%n", variant, batch,
                Arrays.toString(Arrays.stream(prompts).mapToInt(p -> p.length).toArray()));
    }

    /** Closes what set-up opened. */
    @TearDown
    public void tearDown() {
        if (member != null) {
            member.close();
        }
        model.close();
    }

    /**
     * @param counter counts the new tokens
     * @return the answers, or the last token
     */
    @Benchmark
    public Object answer(TokenCounter counter) throws OrtException {
        counter.tokens += (long) batch * NEW_TOKENS;
        if (member != null) {
            return batch == 1 ? member.chat(requests.get(0)) : member.chatAll(requests);
        }
        try (OrtAloneDecoder.Prefilled p = alone.prefill(prompts, logits)) {
            alone.decode(p, NEW_TOKENS - 1, out);
            return out[batch - 1][NEW_TOKENS - 1];
        }
    }
}
