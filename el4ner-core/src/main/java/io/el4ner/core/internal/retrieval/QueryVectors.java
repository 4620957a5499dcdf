package io.el4ner.core.internal.retrieval;

import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SentenceEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A query's vectors for a {@link SpanSimRetriever}: its spans encoded the way the {@link PoolIndex} encodes the
 * pool's ({@link PoolIndex.SpanMode}), or the whole sentence when it has no span to weigh, checked and
 * L2-normalised. In {@code text} mode it keeps the most recently used span vectors, by span text, so that a span
 * seen again is not encoded again. Thread-safe.
 */
final class QueryVectors {
    private final SentenceEncoder encoder;
    private final PoolIndex.SpanMode mode;
    private final int dimension;
    private final Map<String, float[]> cache; // null when off; guarded by itself

    /**
     * @param encoder the encoder the pool index was made with
     * @param mode how the pool index made its span vectors
     * @param cacheSize span vectors kept for later queries ({@code text} mode only); 0 for none
     * @param dimension the pool index's dimension
     */
    QueryVectors(SentenceEncoder encoder, PoolIndex.SpanMode mode, int cacheSize, int dimension) {
        this.encoder = encoder;
        this.mode = mode;
        this.dimension = dimension;
        int kept = mode == PoolIndex.SpanMode.TEXT ? cacheSize : 0;
        this.cache = kept == 0 ? null : new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > kept;
            }
        };
    }

    /**
     * @param sentence the input sentence
     * @return its one vector, normalised
     * @throws io.el4ner.api.El4nerException if the encoder returns vectors of the wrong number or dimension
     */
    float[][] sentence(String sentence) {
        return normalized(encoder.encode(List.of(sentence)), 1, "sentence");
    }

    /**
     * @param sentence the input sentence
     * @param spans its spans to weigh, distinct and not blank
     * @return one vector per span, normalised
     * @throws io.el4ner.api.El4nerException if the encoder returns vectors of the wrong number or dimension
     */
    float[][] spans(String sentence, List<String> spans) {
        return normalized(encodeSpans(sentence, spans), spans.size(), "span");
    }

    private List<float[]> encodeSpans(String sentence, List<String> spans) {
        if (mode == PoolIndex.SpanMode.TEXT) {
            // each span alone, as the index encodes pool spans: the same text always gets the same vector
            if (cache == null) {
                return encoder.encodeEach(spans);
            }
            float[][] out = new float[spans.size()][];
            List<String> missing = new ArrayList<>();
            synchronized (cache) {
                for (int i = 0; i < out.length; i++) {
                    out[i] = cache.get(spans.get(i));
                    if (out[i] == null) {
                        missing.add(spans.get(i));
                    }
                }
            }
            if (!missing.isEmpty()) {
                List<float[]> fresh = encoder.encodeEach(missing);
                PoolIndex.checkVectors(encoder, fresh, missing.size(), dimension, "span");
                synchronized (cache) {
                    for (int i = 0, m = 0; i < out.length; i++) {
                        if (out[i] == null) {
                            out[i] = fresh.get(m++);
                            cache.put(spans.get(i), out[i]);
                        }
                    }
                }
            }
            return Arrays.asList(out);
        }
        // in context: spans found in the sentence are encoded there, others alone
        List<TextRange> ranges = new ArrayList<>();
        List<Integer> where = new ArrayList<>();
        List<String> alone = new ArrayList<>();
        for (String s : spans) {
            int at = sentence.indexOf(s);
            if (at >= 0) {
                where.add(ranges.size());
                ranges.add(new TextRange(at, at + s.length()));
            } else {
                where.add(-1 - alone.size());
                alone.add(s);
            }
        }
        List<float[]> inContext = ranges.isEmpty() ? List.of() : encoder.encodeSpans(sentence, ranges);
        PoolIndex.checkVectors(encoder, inContext, ranges.size(), dimension, "span");
        List<float[]> standalone = alone.isEmpty() ? List.of() : encoder.encodeEach(alone);
        PoolIndex.checkVectors(encoder, standalone, alone.size(), dimension, "span");
        List<float[]> out = new ArrayList<>(spans.size());
        for (int x : where) {
            out.add(x >= 0 ? inContext.get(x) : standalone.get(-1 - x));
        }
        return out;
    }

    private float[][] normalized(List<float[]> vs, int expected, String what) {
        PoolIndex.checkVectors(encoder, vs, expected, dimension, what);
        float[][] out = new float[vs.size()][];
        for (int j = 0; j < out.length; j++) {
            out[j] = VectorMath.normalize(vs.get(j).clone());
        }
        return out;
    }
}
