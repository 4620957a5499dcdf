package io.el4ner.onnx.internal;

import java.util.BitSet;
import java.util.SplittableRandom;

/** Picks the next token from a row of logits: greedy at temperature 0, otherwise sampled from the softmax. */
public final class TokenSampler {
    private TokenSampler() {
    }

    /**
     * Picks the next token. Ids at or beyond {@code ids} (rows the model scores but the tokenizer does not know)
     * are never picked. Logits are the model's output and are not trusted: a NaN or {@code +Infinity} anywhere, or no
     * finite logit among the ids, is an error rather than a token.
     *
     * @param logits the model's logits for the next position
     * @param ids how many leading ids may be picked, at most {@code logits.length}
     * @param temperature 0 for greedy (the lowest id among equal maxima), otherwise the softmax temperature
     * @param random the row's random source; unused when greedy
     * @return the token id
     * @throws DecoderOutputException if the logits are not numbers
     */
    public static int next(float[] logits, int ids, double temperature, SplittableRandom random) {
        return next(logits, ids, null, temperature, random);
    }

    /**
     * Picks the next token among the allowed ones (a constrained answer's mask): as {@link #next(float[], int,
     * double, SplittableRandom)} with every id outside {@code allowed} treated as impossible. The whole row is still
     * checked for NaN and {@code +Infinity}; only finite logits of allowed ids below {@code ids} may be picked.
     *
     * @param logits the model's logits for the next position
     * @param ids how many leading ids may be picked, at most {@code logits.length}
     * @param allowed the ids that may be picked, or null for all
     * @param temperature 0 for greedy (the lowest id among equal maxima), otherwise the softmax temperature
     * @param random the row's random source; unused when greedy
     * @return the token id
     * @throws DecoderOutputException if the logits are not numbers, or no allowed id has a finite logit
     */
    public static int next(float[] logits, int ids, BitSet allowed, double temperature, SplittableRandom random) {
        if (allowed == null) {
            return unmasked(logits, ids, temperature, random);
        }
        for (int i = 0; i < logits.length; i++) {
            float x = logits[i];
            if (Float.isNaN(x) || x == Float.POSITIVE_INFINITY) {
                throw new DecoderOutputException("the model's logits contain " + x + " (token id " + i + ")");
            }
        }
        int best = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = allowed.nextSetBit(0); i >= 0 && i < ids; i = allowed.nextSetBit(i + 1)) {
            if (logits[i] > max) {
                max = logits[i];
                best = i;
            }
        }
        if (best < 0) {
            throw new DecoderOutputException("the model's logits have no finite value among the "
                    + allowed.cardinality() + " token ids the answer's constraint allows");
        }
        return temperature == 0 ? best : sample(logits, ids, allowed, max, best, temperature, random);
    }

    private static int unmasked(float[] logits, int ids, double temperature, SplittableRandom random) {
        int best = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            float x = logits[i];
            if (Float.isNaN(x) || x == Float.POSITIVE_INFINITY) {
                throw new DecoderOutputException("the model's logits contain " + x + " (token id " + i + ")");
            }
            if (i < ids && x > max) {
                max = x;
                best = i;
            }
        }
        if (best < 0) {
            throw new DecoderOutputException("the model's logits have no finite value among the " + ids
                    + " token ids of the tokenizer");
        }
        return temperature == 0 ? best : sample(logits, ids, null, max, best, temperature, random);
    }

    /**
     * Samples from the softmax of the logits at the temperature, over the ids below {@code ids} that {@code allowed}
     * holds (all when null).
     */
    private static int sample(float[] logits, int ids, BitSet allowed, float max, int best, double temperature,
                              SplittableRandom random) {
        double sum = 0;
        for (int i = first(allowed); i >= 0 && i < ids; i = next(allowed, i)) {
            sum += Math.exp((logits[i] - max) / temperature);
        }
        double u = random.nextDouble() * sum;
        double acc = 0;
        int last = best;
        for (int i = first(allowed); i >= 0 && i < ids; i = next(allowed, i)) {
            double p = Math.exp((logits[i] - max) / temperature);
            if (p > 0) {
                acc += p;
                last = i;
                if (u < acc) {
                    return i;
                }
            }
        }
        return last; // rounding left u at the very top
    }

    private static int first(BitSet allowed) {
        return allowed == null ? 0 : allowed.nextSetBit(0);
    }

    private static int next(BitSet allowed, int i) {
        return allowed == null ? i + 1 : allowed.nextSetBit(i + 1);
    }
}
