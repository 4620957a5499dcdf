package io.el4ner.onnx.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.el4ner.api.TextRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work behind {@code OnnxSentenceEncoder}'s calls: tokenize, plan the runs ({@link BatchPlan}), run them on the
 * calling thread and a pool ({@link CallerRunsForkJoin}) and pool the token vectors ({@link Pooling}). The public
 * class keeps the contract (arguments, locking, closing); this one assumes valid arguments and an open model.
 */
public final class SentenceEncoding implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.el4ner.onnx.OnnxSentenceEncoder");

    private final SentenceModel model;
    private final int maxLength;
    private final int batchSize;
    private final CallerRunsForkJoin runner;

    /**
     * Loads the model.
     *
     * @param source the model's files
     * @param maxLength the most sub-tokens per text, special tokens included
     * @param batchSize the most texts per model run
     * @param parallelism the most model runs one call performs at once, the calling thread included
     * @param options how ONNX Runtime runs the model
     * @throws io.el4ner.api.El4nerConfigurationException if the model cannot be loaded or does not look like a
     *     sentence-transformers export
     */
    public SentenceEncoding(ModelSource source, int maxLength, int batchSize, int parallelism,
                            OrtSessions.Options options) {
        this.model = new SentenceModel(source, maxLength, options);
        this.maxLength = maxLength;
        this.batchSize = batchSize;
        this.runner = new CallerRunsForkJoin(parallelism, "el4ner-encoder-");
    }

    /** @return the vector length */
    public int dimension() {
        return model.dimension();
    }

    /** @return {@code CPU} or {@code CUDA:<device>} */
    public String executionProvider() {
        return model.executionProvider();
    }

    /** @return why CUDA was not used although asked for; null when it was not asked for or runs */
    public String cudaFailure() {
        return model.cudaFailure();
    }

    /**
     * Encodes texts, each alone or in runs of similar length.
     *
     * @param texts at least one text, none null
     * @param alone whether each text is a run of its own
     * @return one unit vector per text, in order
     */
    public List<float[]> encode(List<String> texts, boolean alone) {
        Encoding[] encodings = model.tokenizer().batchEncode(texts);
        long truncated = Arrays.stream(encodings).filter(Encoding::exceedMaxLength).count();
        if (truncated > 0) {
            log.warn("{} of {} texts are longer than {} sub-tokens and were truncated", truncated, texts.size(),
                    maxLength);
        }
        int[] lengths = new int[encodings.length];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = encodings[i].getIds().length;
        }
        BatchPlan plan = BatchPlan.of(lengths, batchSize, alone);
        float[][] out = new float[encodings.length][];
        // Runs are taken longest first by whichever thread is free. Each writes only its own texts' slots of out.
        runner.run(plan.runs(), () -> {
            int[] tokens = new int[maxLength];
            return r -> encodeRun(encodings, plan.texts(r), out, tokens);
        }, "encoding " + texts.size() + " texts");
        return List.of(out);
    }

    /** Runs the given texts as one batch and pools their vectors into {@code out}. */
    private void encodeRun(Encoding[] encodings, int[] texts, float[][] out, int[] tokens) {
        Encoding[] batch = new Encoding[texts.length];
        for (int i = 0; i < texts.length; i++) {
            batch[i] = encodings[texts[i]];
        }
        SentenceModel.Hidden h = model.run(batch);
        int dimension = model.dimension();
        for (int r = 0; r < batch.length; r++) {
            long[] mask = batch[r].getAttentionMask();
            int n = 0;
            for (int t = 0; t < mask.length; t++) {
                if (mask[t] != 0) {
                    tokens[n++] = t;
                }
            }
            out[texts[r]] = Pooling.meanNormalised(h.values(), r * h.seq() * dimension, dimension, tokens, n);
        }
    }

    /**
     * Encodes spans of one sentence from one run of the sentence; a span beyond the part the model sees, or that
     * covers no sub-token, is encoded from its own text alone (one WARN for all such spans).
     *
     * @param sentence the sentence
     * @param spans at least one non-empty span inside the sentence
     * @return one unit vector per span, in order
     */
    public List<float[]> encodeSpans(String sentence, List<TextRange> spans) {
        Encoding encoding = model.tokenizer().encode(sentence);
        CharSpan[] chars = encoding.getCharTokenSpans();
        int[] cp = Pooling.codePointToUtf16(sentence);
        int[] starts = new int[chars.length];
        int[] ends = new int[chars.length];
        long[] special = encoding.getSpecialTokenMask();
        int seen = 0; // the end of the text the model sees
        for (int t = 0; t < chars.length; t++) {
            if (chars[t] == null || special[t] != 0) {
                starts[t] = -1;
                continue;
            }
            starts[t] = cp == null ? chars[t].getStart() : cp[chars[t].getStart()];
            ends[t] = cp == null ? chars[t].getEnd() : cp[chars[t].getEnd()];
            seen = Math.max(seen, ends[t]);
        }
        int limit = encoding.exceedMaxLength() ? seen : sentence.length();
        SentenceModel.Hidden h = model.run(new Encoding[] {encoding});
        int dimension = model.dimension();
        float[][] out = new float[spans.size()][];
        List<Integer> alone = new ArrayList<>();
        int[] tokens = new int[chars.length];
        for (int i = 0; i < spans.size(); i++) {
            TextRange r = spans.get(i);
            int n = r.end() <= limit ? Pooling.overlapping(starts, ends, r.start(), r.end(), tokens) : 0;
            if (n == 0) {
                alone.add(i);
            } else {
                out[i] = Pooling.meanNormalised(h.values(), 0, dimension, tokens, n);
            }
        }
        if (!alone.isEmpty()) {
            TextRange first = spans.get(alone.get(0));
            log.warn("{} of {} spans lie beyond the first {} sub-tokens of their {}-character sentence or cover no "
                    + "sub-token, and were encoded from their text alone; the first is [{}, {}) '{}'", alone.size(),
                    spans.size(), maxLength, sentence.length(), first.start(), first.end(),
                    sentence.substring(first.start(), first.end()));
            // One run each, so that the vector is exactly encode(List.of(spanText)) (see Batching).
            List<String> texts = new ArrayList<>(alone.size());
            for (int i : alone) {
                texts.add(sentence.substring(spans.get(i).start(), spans.get(i).end()));
            }
            List<float[]> vectors = encode(texts, true);
            for (int x = 0; x < alone.size(); x++) {
                out[alone.get(x)] = vectors.get(x);
            }
        }
        return List.of(out);
    }

    /** Stops the pool and releases the session and the tokenizer; the calls in progress must have ended. */
    @Override
    public void close() {
        runner.close();
        model.close();
    }
}
