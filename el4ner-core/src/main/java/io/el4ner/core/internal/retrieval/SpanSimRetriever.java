package io.el4ner.core.internal.retrieval;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.SentenceEncoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * EL4NER's span-level retriever (provider {@code span-sim}). A pool sentence {@code c} scores
 * <pre>
 *   SpanSim(S, c) = sum_{s in S} w(s) * max_{t in spans(c)} cos(s, t) / sum_{s in S} w(s)
 * </pre>
 * where {@code S} are the input's pre-extracted spans (deduplicated, blank ones dropped), {@code w} is the
 * {@link SpanWeigher} ({@link EnglishSpanWeigher#DEFAULT} unless configured; spans of weight 0 are left out),
 * and {@code spans(c)} are the gold spans of the demonstration. A pool sentence without gold spans scores 0.
 * When the input has no span of positive weight, sentences are ranked by the cosine similarity of whole-sentence
 * vectors instead. The best {@code k} are returned, best first; equal scores go to the earlier pool sentence; a
 * pool sentence equal to the input (ignoring surrounding whitespace) is never returned.
 *
 * <p>The {@link PoolIndex} (every distinct span and sentence of the pool, encoded once) is built when the
 * retriever is created, or loaded from the {@code index} file when that exists and was made with the same
 * encoder, span mode and pool; otherwise building it saves it there. The scan is exact by default
 * ({@link ExactScan}); {@code quantize} selects the int8 scan with exact rescoring ({@link Int8Scan}), and for
 * pools above {@value SpanSimOptions#AUTO_APPROXIMATE_ABOVE} sentences (or {@code approximate: always}) an
 * {@link IvfIndex} is used ({@link ApproximateScan}). Its configuration is {@link SpanSimOptions}, its provider
 * {@link SpanSimRetrieverProvider}; {@link PoolIndexLoader} gets the index and {@link QueryVectors} encodes
 * queries.
 *
 * <p>Thread-safe. {@link #close()} closes the encoder when the retriever owns it (when its provider made it).
 */
public final class SpanSimRetriever implements Retriever {
    private final List<Demonstration> pool;
    private final SentenceEncoder encoder;
    private final boolean ownsEncoder;
    private final SpanSimOptions options;
    private final PoolIndex index;
    private final boolean useApproximate;
    private final Map<String, int[]> byText;
    private final Parallel parallel;
    private final QueryVectors queryVectors;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Builds or loads the pool index.
     *
     * @param pool the labelled pool, not empty
     * @param encoder the sentence encoder
     * @param ownsEncoder whether {@link #close()} closes the encoder
     * @param options how to work
     * @throws El4nerConfigurationException if the pool is empty, or the index file was made with another encoder,
     *     span mode or pool
     * @throws io.el4ner.api.El4nerException if the index file is unreadable, foreign, truncated or corrupt, or the
     *     encoder returns vectors of the wrong dimension
     */
    public SpanSimRetriever(List<Demonstration> pool, SentenceEncoder encoder, boolean ownsEncoder,
                            SpanSimOptions options) {
        this.pool = List.copyOf(pool);
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.ownsEncoder = ownsEncoder;
        this.options = Objects.requireNonNull(options, "options");
        if (this.pool.isEmpty()) {
            throw new El4nerConfigurationException("retriever " + SpanSimRetrieverProvider.NAME + ": the "
                    + "demonstration pool is empty; give demonstrations, or use no retriever (zero-shot)");
        }
        this.parallel = new Parallel(options.threads());
        try {
            this.useApproximate = options.approximateFor(this.pool.size());
            this.index = PoolIndexLoader.loadOrBuild(this.pool, encoder, options, useApproximate, parallel);
            if (!useApproximate && !options.quantize()) {
                // the exact scan reads only the dimension-major copy
                index.spans().table().dropRows();
                index.sentences().table().dropRows();
            }
            this.queryVectors = new QueryVectors(encoder, options.spanMode(), options.spanCache(), index.dimension());
            this.byText = new HashMap<>();
            Map<String, List<Integer>> groups = new LinkedHashMap<>();
            for (int i = 0; i < this.pool.size(); i++) {
                groups.computeIfAbsent(this.pool.get(i).text().strip(), t -> new ArrayList<>()).add(i);
            }
            groups.forEach((t, is) -> byText.put(t, is.stream().mapToInt(Integer::intValue).toArray()));
        } catch (RuntimeException e) {
            parallel.close();
            throw e;
        }
    }

    /** @return the pool index */
    public PoolIndex index() {
        return index;
    }

    @Override
    public List<Demonstration> retrieve(String sentence, List<String> spans, int k) {
        Hits hits = search(sentence, spans, k);
        List<Demonstration> out = new ArrayList<>(hits.size());
        for (int r = 0; r < hits.size(); r++) {
            out.add(pool.get(hits.index(r)));
        }
        return out;
    }

    /**
     * {@link #retrieve} with the scores.
     *
     * @param sentence the input sentence
     * @param spans its pre-extracted spans
     * @param k results wanted
     * @return pool indices and SpanSim scores, best first
     * @throws IllegalStateException if the retriever is closed
     */
    public Hits search(String sentence, List<String> spans, int k) {
        Objects.requireNonNull(sentence, "sentence");
        Objects.requireNonNull(spans, "spans");
        if (closed.get()) {
            throw new IllegalStateException("the span-sim retriever has been closed");
        }
        if (k <= 0) {
            return new TopK(0).sorted();
        }
        int[] excluded = byText.getOrDefault(sentence.strip(), new int[0]);
        List<String> kept = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        for (String s : new LinkedHashSet<>(spans.stream().map(String::strip).filter(x -> !x.isEmpty()).toList())) {
            double w = options.weigher().weight(s);
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalStateException("span weigher " + options.weigher() + " returned " + w + " for '"
                        + s + "'; weights must be finite and >= 0");
            }
            if (w > 0) {
                kept.add(s);
                weights.add((float) w);
            }
        }
        SegmentedVectors set;
        float[][] queries;
        float[] w;
        if (kept.isEmpty()) {
            set = index.sentences();
            queries = queryVectors.sentence(sentence);
            w = new float[] {1f};
        } else {
            set = index.spans();
            queries = queryVectors.spans(sentence, kept);
            w = new float[weights.size()];
            for (int j = 0; j < w.length; j++) {
                w[j] = weights.get(j);
            }
        }
        if (useApproximate && set.ivf() != null) {
            return ApproximateScan.search(set, queries, w, k, excluded, options.probes(),
                    ApproximateScan.vectorsPerQuery(k), parallel);
        }
        if (options.quantize()) {
            return Int8Scan.search(set, queries, w, k, excluded, parallel);
        }
        return ExactScan.search(set, queries, w, k, excluded, parallel);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            parallel.close();
            if (ownsEncoder) {
                encoder.close();
            }
        }
    }
}
