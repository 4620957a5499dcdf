package io.el4ner.core.internal.retrieval;

import io.el4ner.api.TextRange;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.SentenceEncoder;
import io.el4ner.api.spi.SentenceEncoderProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic test double for a sentence encoder: a text's vector is the L2-normalised bag of its hashed,
 * lower-cased character trigrams (with boundary marks), so texts that share words are similar and equal texts
 * get equal vectors. In context, a span's vector mixes in a little of its sentence's.
 */
final class TrigramEncoder implements SentenceEncoder {
    /** Texts encoded by all instances, to tell building from loading. */
    static final AtomicInteger ENCODED = new AtomicInteger();

    private final int dimension;
    private final int reportedDimension;
    private final AtomicInteger closed = new AtomicInteger();

    TrigramEncoder(int dimension) {
        this(dimension, dimension);
    }

    /** An encoder that may lie about its dimension. */
    TrigramEncoder(int dimension, int reportedDimension) {
        this.dimension = dimension;
        this.reportedDimension = reportedDimension;
    }

    int closeCount() {
        return closed.get();
    }

    @Override
    public String identity() {
        return "test-trigram/dim=" + reportedDimension;
    }

    @Override
    public int dimension() {
        return reportedDimension;
    }

    static float[] vector(String text, int dimension) {
        float[] v = new float[dimension];
        String s = "#" + text.toLowerCase(Locale.ROOT) + "#";
        for (int i = 0; i + 3 <= s.length(); i++) {
            int h = s.substring(i, i + 3).hashCode() * 0x9E3779B1;
            v[Math.floorMod(h, dimension)] += (h & 0x10000) != 0 ? 1 : -1;
        }
        double ss = 0;
        for (float x : v) {
            ss += x * x;
        }
        if (ss > 0) {
            for (int i = 0; i < dimension; i++) {
                v[i] = (float) (v[i] / Math.sqrt(ss));
            }
        }
        return v;
    }

    @Override
    public List<float[]> encode(List<String> texts) {
        ENCODED.addAndGet(texts.size());
        List<float[]> out = new ArrayList<>();
        for (String t : texts) {
            out.add(vector(t, dimension));
        }
        return out;
    }

    @Override
    public List<float[]> encodeSpans(String sentence, List<TextRange> spans) {
        ENCODED.addAndGet(spans.size());
        float[] context = vector(sentence, dimension);
        List<float[]> out = new ArrayList<>();
        for (TextRange r : spans) {
            float[] v = vector(sentence.substring(r.start(), r.end()), dimension);
            for (int i = 0; i < dimension; i++) {
                v[i] += 0.25f * context[i];
            }
            out.add(v);
        }
        return out;
    }

    @Override
    public void close() {
        closed.incrementAndGet();
    }

    /** Provider {@code test-trigram}; parameters {@code dimension} (default 64) and {@code reportedDimension}. */
    public static final class Provider implements SentenceEncoderProvider {
        @Override
        public String name() {
            return "test-trigram";
        }

        @Override
        public SentenceEncoder create(ComponentConfig config) {
            config.requireOnly(Set.of("dimension", "reportedDimension"));
            int d = config.integer("dimension", 64);
            return new TrigramEncoder(d, config.integer("reportedDimension", d));
        }
    }
}
