package io.el4ner.benchmarks;

import ai.onnxruntime.OrtException;
import io.el4ner.onnx.internal.DecoderEngine;
import io.el4ner.onnx.internal.PrefixCache;
import io.el4ner.onnx.internal.TokenSampler;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The prefill contenders of {@link DecoderPrefillBenchmark} on one model: the second stage's prompts of
 * {@link #PAIRS} sentences, prefilled with and without the first stage's cache to reuse. Before each timed call,
 * {@link #prepare} sets up the pair (not to be timed). Not thread-safe.
 */
final class DecoderPrefills implements AutoCloseable {
    /** The sentences, each with a first and a second stage's prompt. */
    static final int PAIRS = 8;

    final DecoderFixture.Model model;
    private final DecoderEngine engine;
    private final PrefixCache cache;
    private final PrefixCache none;
    private final OrtAloneDecoder alone;
    private final FloatBuffer logits;
    final long[][] first;
    final long[][] second;
    private final DecoderEngine.RowKv[] firstKv;
    final int[] shared;
    final int[] reusable;
    private final OrtAloneDecoder.Prefilled[] prefixes;
    private final long[][] suffixes;
    private final SplittableRandom random = new SplittableRandom(1);

    /** Loads the model, tokenizes both stages' prompts and prefills the first stages (for both contenders). */
    DecoderPrefills(String variant, int threads) throws OrtException {
        model = new DecoderFixture.Model(variant, threads);
        engine = model.engine();
        alone = new OrtAloneDecoder(model.session);
        cache = new PrefixCache(256L << 20, 64, engine);
        none = new PrefixCache(0, 64, engine);
        first = new long[PAIRS][];
        second = new long[PAIRS][];
        firstKv = new DecoderEngine.RowKv[PAIRS];
        shared = new int[PAIRS];
        reusable = new int[PAIRS];
        prefixes = new OrtAloneDecoder.Prefilled[PAIRS];
        suffixes = new long[PAIRS][];
        int longest = 0;
        for (int i = 0; i < PAIRS; i++) {
            String sentence = DecoderFixture.SENTENCES.get(i);
            first[i] = model.tokens(DecoderFixture.firstStage(sentence));
            second[i] = model.tokens(DecoderFixture.secondStage(sentence));
            longest = Math.max(longest, second[i].length);
            firstKv[i] = engine.prefill(first[i], null, () -> false).kv();
            int n = Math.min(first[i].length, second[i].length);
            int m = Arrays.mismatch(first[i], 0, n, second[i], 0, n);
            shared[i] = m < 0 ? n : m;
            prepare(i, true);
            PrefixCache.Hit hit = cache.lookup(second[i]);
            reusable[i] = hit == null ? 0 : hit.length();
        }
        logits = alone.prefillBuffer(1, longest);
        for (int i = 0; i < PAIRS; i++) {
            prefixes[i] = alone.prefill(new long[][] {Arrays.copyOf(second[i], reusable[i])}, logits);
            suffixes[i] = Arrays.copyOfRange(second[i], reusable[i], second[i].length);
        }
    }

    /** @return a line with the prompts' lengths and the tokens the stages share and el4ner reuses */
    String describe() {
        long total = Arrays.stream(second).mapToLong(p -> p.length).sum();
        return String.format("[%s] second-stage prompts %s tokens; shared with the first stage %s; reusable (to a "
                + "boundary) %s: %.1f%% of the second stages' tokens", model.files.variant(),
                Arrays.toString(Arrays.stream(second).mapToInt(p -> p.length).toArray()), Arrays.toString(shared),
                Arrays.toString(reusable), 100.0 * share());
    }

    /** @return the reusable tokens over all second-stage tokens */
    double share() {
        return (double) Arrays.stream(reusable).sum() / Arrays.stream(second).mapToLong(p -> p.length).sum();
    }

    /** Before a timed call of pair {@code i} with reuse: the cache holds the first stage's prompt alone. */
    void prepare(int i, boolean reuse) {
        if (reuse) {
            cache.clear();
            cache.offer(first[i], firstKv[i]);
        }
    }

    /**
     * What el4ner's decoding loop does for a new request: cache lookup, prefill in chunks (from the cached prefix if
     * any), cache offer, greedy pick. Without reuse the cache has no budget (the member's
     * {@code prefixCacheBytes(0)}).
     *
     * @return the first token after the second stage's prompt of pair {@code i}
     */
    long el4ner(int i, boolean reuse) throws OrtException {
        PrefixCache c = reuse ? cache : none;
        long[] prompt = second[i];
        PrefixCache.Hit hit = c.lookup(prompt);
        DecoderEngine.Prefilled p = engine.prefill(prompt, hit == null ? null : hit.kv(), () -> false);
        c.offer(prompt, p.kv());
        return TokenSampler.next(p.logits(), model.pickableIds, 0, random);
    }

    /**
     * {@link OrtAloneDecoder}: the whole prompt in one run, or with reuse the tokens after el4ner's reusable prefix in
     * one run on a cache of that prefix prefilled at set-up.
     *
     * @return the first token after the second stage's prompt of pair {@code i}
     */
    long ortAlone(int i, boolean reuse) throws OrtException {
        try (OrtAloneDecoder.Prefilled p = reuse ? alone.extend(prefixes[i], suffixes[i], logits)
                : alone.prefill(new long[][] {second[i]}, logits)) {
            return p.next[0];
        }
    }

    @Override
    public void close() {
        for (OrtAloneDecoder.Prefilled p : prefixes) {
            if (p != null) {
                p.close();
            }
        }
        model.close();
    }
}
