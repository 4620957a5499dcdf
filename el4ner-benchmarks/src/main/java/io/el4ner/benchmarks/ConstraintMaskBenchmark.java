package io.el4ner.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.el4ner.api.AnswerContract;
import io.el4ner.onnx.internal.ConstraintState;
import io.el4ner.onnx.internal.DecoderDirectory;
import io.el4ner.onnx.internal.JsonConstraint;
import io.el4ner.onnx.internal.TokenBytes;
import io.el4ner.onnx.internal.TokenSampler;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What constrained decoding costs per request and per step (issue 13), for the token mask of {@link JsonConstraint}
 * over a vocabulary of 4,096 ({@code small}, tiny-gqa's) or 151,669 ids ({@code qwen}, the Qwen3 tokenizer; make its
 * folder with {@code el4ner-benchmarks/fixtures/qwen-vocab.sh}), for the contract of a stage
 * ({@link AnswerContract#of}; extraction's is pre-extraction's too) on a sentence ({@code conll}: a CoNLL-2003
 * sentence with four entities; {@code unicode}: accents, CJK, kana, an emoji and quotes). Each request's answer is a
 * fixed valid one (see {@link ConstraintFixture.Sentence#answer}), tokenized with the model's tokenizer; set-up
 * replays it through the constraint, checks that every token is allowed, and prints the tokens and mask sizes.
 * <ul>
 *   <li>{@code cold}: what a request pays before its first token: {@link JsonConstraint#start} (the contract
 *       compiled, the sentence's substring matcher built) and the first {@link ConstraintState#allowed}.</li>
 *   <li>{@code warm}: one later step along the answer: {@code allowed} (the mask) then {@code advance} (the chosen
 *       token); the average over the answer's steps, the end token's step included, structural steps whose mask is
 *       walked once then cached as well as steps inside span strings, where the trie is walked through the substring
 *       matcher each time.</li>
 *   <li>{@code answer}: the whole answer's constraint: start, then every step; divided by the tokens of the answer,
 *       the average constraint cost per generated token.</li>
 *   <li>{@code sampleMasked}: {@link TokenSampler} (greedy) picking among a step's allowed ids on a full row of
 *       logits, the masks of the answer's steps in turn; {@link ConstraintDecodeBenchmark#sampleUnmasked} is the same
 *       without a mask.</li>
 * </ul>
 * {@link ConstraintDecodeBenchmark} runs the model's decode step in the same JMH run. Run with:
 * {@code ./mvnw -q -o -pl el4ner-benchmarks -am package -DskipTests && java -jar
 * el4ner-benchmarks/target/benchmarks.jar Constraint -p vocab=qwen} (and {@code -p vocab=small})
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class ConstraintMaskBenchmark {
    /** The vocabulary: {@code small} (4,096 ids) or {@code qwen} (151,669 ids). */
    @Param({"small", "qwen"})
    String vocab;

    /** The stage whose contract constrains the answer. */
    @Param({"extraction", "classification", "validation"})
    String stage;

    /** The sentence: {@code conll} or {@code unicode}. */
    @Param({"conll", "unicode"})
    String sentence;

    private TokenBytes tokens;
    private AnswerContract contract;
    /** The answer's tokens, then an end token. */
    private int[] answer;
    /** Each step's mask, for {@code sampleMasked}. */
    private BitSet[] masks;
    private float[] logits;
    private final BitSet mask = new BitSet();
    private final SplittableRandom random = new SplittableRandom(1);
    private int next;

    /** Reads the tokenizer's token bytes, tokenizes the answer and checks it step by step. */
    @Setup
    public void setUp() {
        DecoderDirectory files = DecoderDirectory.read(ConstraintFixture.dir(vocab), null,
                DecoderDirectory.CPU_VARIANTS);
        long t0 = System.nanoTime();
        tokens = TokenBytes.fromTokenizerJson(files.tokenizerJson(), files.endTokens());
        long load = System.nanoTime() - t0;
        ConstraintFixture.Sentence s = ConstraintFixture.sentence(sentence);
        contract = AnswerContract.of(s.context(ConstraintFixture.stage(stage)));
        String text = s.answer(ConstraintFixture.stage(stage));
        long[] ids;
        try (HuggingFaceTokenizer tokenizer = DecoderFixture.tokenizer(files.tokenizerJson())) {
            ids = tokenizer.encode(text, false, false).getIds();
        }
        answer = new int[ids.length + 1];
        masks = new BitSet[ids.length + 1];
        ConstraintState state = JsonConstraint.start(contract, tokens);
        for (int i = 0; i <= ids.length; i++) {
            masks[i] = new BitSet();
            state.allowed(masks[i]);
            answer[i] = i < ids.length ? (int) ids[i] : masks[i].nextSetBit(0);
            if (answer[i] < 0 || !masks[i].get(answer[i])) {
                throw new IllegalStateException("the fixture's answer " + text + " is not one the constraint allows: "
                        + (i < ids.length ? "token " + answer[i] + " (" + i + " of " + ids.length + ")"
                        : "no end token") + " after '" + state.text() + "'");
            }
            state.advance(answer[i]);
        }
        logits = ConstraintFixture.logits(tokens.size());
        int[] sizes = Arrays.stream(masks).mapToInt(BitSet::cardinality).sorted().toArray();
        System.out.printf("%n[%s, %s, %s] %,d token ids, token bytes read in %.0f ms; answer of %d tokens + end: %s;"
                        + " allowed ids per step: min %d, median %d, max %d%n", vocab, stage, sentence, tokens.size(),
                load / 1e6, ids.length, text, sizes[0], sizes[sizes.length / 2], sizes[sizes.length - 1]);
    }

    /**
     * The answer in progress for {@code warm}: each call of the benchmark takes one step; when the answer has ended,
     * a new one is started and its first step taken before the next call (not timed).
     */
    @State(Scope.Thread)
    public static class Walk {
        ConstraintState state;
        int step;

        /**
         * Starts the next answer when this one has ended.
         *
         * @param b the benchmark's state
         */
        @Setup(Level.Invocation)
        public void next(ConstraintMaskBenchmark b) {
            if (state == null || step == b.answer.length) {
                state = JsonConstraint.start(b.contract, b.tokens);
                state.allowed(b.mask);
                state.advance(b.answer[0]);
                step = 1;
            }
        }
    }

    /** @return the state before the first token, with the first mask taken */
    @Benchmark
    public ConstraintState cold() {
        ConstraintState state = JsonConstraint.start(contract, tokens);
        state.allowed(mask);
        return state;
    }

    /**
     * @param walk the answer in progress
     * @return the answer after one more step
     */
    @Benchmark
    public ConstraintState warm(Walk walk) {
        walk.state.allowed(mask);
        walk.state.advance(answer[walk.step++]);
        return walk.state;
    }

    /** @return the state after the whole answer and its end token */
    @Benchmark
    public ConstraintState answer() {
        ConstraintState state = JsonConstraint.start(contract, tokens);
        for (int token : answer) {
            state.allowed(mask);
            state.advance(token);
        }
        return state;
    }

    /** @return the greedy pick among the next step's allowed ids */
    @Benchmark
    public int sampleMasked() {
        BitSet m = masks[next];
        next = next + 1 == masks.length ? 0 : next + 1;
        return TokenSampler.next(logits, logits.length, m, 0, random);
    }
}
