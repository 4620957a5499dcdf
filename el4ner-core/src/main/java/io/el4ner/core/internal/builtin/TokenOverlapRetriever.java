package io.el4ner.core.internal.builtin;

import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.spi.Retriever;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sentence-level retriever that needs no model: it scores each pool sentence by the Jaccard overlap of its
 * lower-cased word tokens with the input's, averaged with the overlap between the input's pre-extracted spans
 * and the pool sentence's gold spans when the input has spans. Ties go to the earlier pool sentence. A pool
 * sentence equal to the input (ignoring surrounding whitespace) is never returned. It stands in until the
 * span-level SpanSim retriever is available.
 */
public final class TokenOverlapRetriever implements Retriever {
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

    private final List<Demonstration> pool;
    private final List<Set<String>> sentenceTokens;
    private final List<Set<String>> spanTokens;

    /** @param pool the labelled pool */
    public TokenOverlapRetriever(List<Demonstration> pool) {
        this.pool = List.copyOf(pool);
        this.sentenceTokens = new ArrayList<>(pool.size());
        this.spanTokens = new ArrayList<>(pool.size());
        for (Demonstration d : this.pool) {
            sentenceTokens.add(tokens(d.text()));
            Set<String> st = new HashSet<>();
            for (LabeledSpan s : d.spans()) {
                st.addAll(tokens(d.surface(s)));
            }
            spanTokens.add(st);
        }
    }

    @Override
    public List<Demonstration> retrieve(String sentence, List<String> spans, int k) {
        if (k <= 0 || pool.isEmpty()) {
            return List.of();
        }
        Set<String> q = tokens(sentence);
        Set<String> qs = new HashSet<>();
        spans.forEach(s -> qs.addAll(tokens(s)));
        String self = sentence.strip();
        // min-heap of (score, index): the worst of the best k on top
        PriorityQueue<double[]> heap = new PriorityQueue<>((a, b) -> a[0] != b[0]
                ? Double.compare(a[0], b[0]) : Double.compare(b[1], a[1]));
        for (int i = 0; i < pool.size(); i++) {
            if (pool.get(i).text().strip().equals(self)) {
                continue;
            }
            double score = jaccard(q, sentenceTokens.get(i));
            if (!qs.isEmpty()) {
                score = (score + jaccard(qs, spanTokens.get(i))) / 2;
            }
            heap.add(new double[] {score, i});
            if (heap.size() > k) {
                heap.poll();
            }
        }
        List<double[]> best = new ArrayList<>(heap);
        best.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
        List<Demonstration> out = new ArrayList<>(best.size());
        best.forEach(e -> out.add(pool.get((int) e[1])));
        return out;
    }

    private static double jaccard(Set<String> a, Set<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return 0;
        }
        int inter = 0;
        for (String t : a) {
            if (b.contains(t)) {
                inter++;
            }
        }
        return (double) inter / (a.size() + b.size() - inter);
    }

    private static Set<String> tokens(String s) {
        Set<String> out = new HashSet<>();
        Matcher m = WORD.matcher(s.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
