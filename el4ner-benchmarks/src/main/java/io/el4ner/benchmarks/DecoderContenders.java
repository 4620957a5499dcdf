package io.el4ner.benchmarks;

import ai.onnxruntime.OrtException;
import io.el4ner.onnx.internal.DecoderEngine;
import io.el4ner.onnx.internal.TokenSampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The decode contenders of {@link DecoderDecodeBenchmark} on one model and batch, prefilled once: each call decodes
 * {@link #NEW_TOKENS} new tokens per row from the same prefilled prompts, so calls can be repeated and interleaved.
 * Not thread-safe.
 */
final class DecoderContenders implements AutoCloseable {
    /** New tokens per row and call. */
    static final int NEW_TOKENS = 128;

    final DecoderFixture.Model model;
    final int batch;
    final long[][] prompts;
    private final DecoderEngine engine;
    private final List<DecoderEngine.RowKv> rows = new ArrayList<>();
    private final long[] first;
    private final OrtAloneDecoder alone;
    private final OrtAloneDecoder.Prefilled prefilled;
    private final long[][] out;
    private final SplittableRandom random = new SplittableRandom(1);

    /**
     * Loads the model and prefills the prompts of the first {@code batch} sentences, for el4ner's engine and for
     * {@code ort-alone}.
     *
     * @param prompt {@code stage}: first-stage prompts (about 450 tokens); {@code short}: the sentence alone (65 to
     *     107 tokens)
     */
    DecoderContenders(String variant, int batch, int threads, String prompt) throws OrtException {
        this.model = new DecoderFixture.Model(variant, threads);
        this.batch = batch;
        engine = model.engine();
        prompts = new long[batch][];
        first = new long[batch];
        for (int r = 0; r < batch; r++) {
            String sentence = DecoderFixture.SENTENCES.get(r);
            prompts[r] = model.tokens(DecoderFixture.chat(prompt, sentence));
            DecoderEngine.Prefilled p = engine.prefill(prompts[r], null, () -> false);
            rows.add(p.kv());
            first[r] = TokenSampler.next(p.logits(), model.pickableIds, 0, random);
        }
        alone = new OrtAloneDecoder(model.session);
        prefilled = alone.prefill(prompts, alone.prefillBuffer(batch, longest()));
        out = new long[batch][NEW_TOKENS + 1];
    }

    /** @return the longest prompt */
    int longest() {
        return Arrays.stream(prompts).mapToInt(p -> p.length).max().orElseThrow();
    }

    /** @return a line saying the prompts' lengths and how many rows el4ner and ort-alone decode alike */
    String agreement() throws OrtException {
        long[][] ours = el4ner();
        long[][] theirs = ortAlone();
        int agree = 0;
        for (int r = 0; r < batch; r++) {
            agree += Arrays.equals(ours[r], theirs[r]) ? 1 : 0;
        }
        return String.format("[%s, batch %d] prompt tokens %s; el4ner and ort-alone agree on all %d tokens of %d of "
                + "%d rows; past length at the last step %d; KV %d bytes per token and row", model.files.variant(),
                batch, Arrays.toString(Arrays.stream(prompts).mapToInt(p -> p.length).toArray()), NEW_TOKENS + 1,
                agree, batch, longest() + NEW_TOKENS, model.signature.bytesPerToken());
    }

    /**
     * el4ner's engine as its decoding loop uses it: the prefilled rows join a batch, then each step is
     * {@code Batch.step} and a greedy {@link TokenSampler} pick per row.
     *
     * @return per row the first token and the {@link #NEW_TOKENS} decoded after it
     */
    long[][] el4ner() throws OrtException {
        long[][] tokens = new long[batch][NEW_TOKENS + 1];
        long[] next = first.clone();
        for (int r = 0; r < batch; r++) {
            tokens[r][0] = next[r];
        }
        try (DecoderEngine.Batch b = engine.newBatch()) {
            b.add(rows);
            for (int s = 1; s <= NEW_TOKENS; s++) {
                float[][] logits = b.step(next);
                for (int r = 0; r < batch; r++) {
                    next[r] = TokenSampler.next(logits[r], model.pickableIds, 0, random);
                    tokens[r][s] = next[r];
                }
            }
        }
        return tokens;
    }

    /**
     * The minimal ONNX Runtime loop ({@link OrtAloneDecoder}) from its own prefill of the same prompts.
     *
     * @return per row the first token and the {@link #NEW_TOKENS} decoded after it (an array reused by the next call)
     */
    long[][] ortAlone() throws OrtException {
        alone.decode(prefilled, NEW_TOKENS, out);
        return out;
    }

    /**
     * The same tokens without a KV cache: each step recomputes every row's whole sequence with el4ner's reference,
     * {@link DecoderEngine#fullLogits}, and takes the last position's greedy pick.
     *
     * @return the last row's last token
     */
    long noCache() throws OrtException {
        long[][] seqs = new long[batch][];
        for (int r = 0; r < batch; r++) {
            seqs[r] = Arrays.copyOf(prompts[r], prompts[r].length + NEW_TOKENS);
            seqs[r][prompts[r].length] = first[r];
        }
        long last = 0;
        for (int s = 1; s <= NEW_TOKENS; s++) {
            long[][] now = new long[batch][];
            for (int r = 0; r < batch; r++) {
                now[r] = Arrays.copyOf(seqs[r], prompts[r].length + s);
            }
            float[][] logits = engine.fullLogits(now);
            for (int r = 0; r < batch; r++) {
                last = TokenSampler.next(logits[r], model.pickableIds, 0, random);
                if (s < NEW_TOKENS) {
                    seqs[r][prompts[r].length + s] = last;
                }
            }
        }
        return last;
    }

    @Override
    public void close() {
        prefilled.close();
        model.close();
    }
}
