package io.el4ner.tck;

import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SentenceEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A small encoder that keeps the contract: a text's vector is its normalised bag of hashed lower-case words. */
class HashingEncoder implements SentenceEncoder {
    static final int DIMENSION = 64;

    @Override
    public String identity() {
        return "tck-hashing/dim=" + DIMENSION;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    static float[] vector(String text) {
        float[] v = new float[DIMENSION];
        for (String word : text.toLowerCase(Locale.ROOT).split("\\W+")) {
            if (!word.isEmpty()) {
                int h = word.hashCode() * 0x9E3779B1;
                v[Math.floorMod(h, DIMENSION)] += (h & 0x10000) != 0 ? 1 : -1;
            }
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        if (norm == 0) {
            v[0] = 1;
            return v;
        }
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) (v[i] / Math.sqrt(norm));
        }
        return v;
    }

    @Override
    public List<float[]> encode(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(vector(t));
        }
        return out;
    }

    @Override
    public List<float[]> encodeSpans(String sentence, List<TextRange> spans) {
        List<float[]> out = new ArrayList<>(spans.size());
        for (TextRange r : spans) {
            out.add(vector(sentence.substring(r.start(), r.end())));
        }
        return out;
    }
}
