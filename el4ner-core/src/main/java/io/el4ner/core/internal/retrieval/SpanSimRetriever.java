package io.el4ner.core.internal.retrieval;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.RetrieverProvider;
import io.el4ner.api.spi.SentenceEncoder;
import io.el4ner.api.spi.SentenceEncoderProvider;
import io.el4ner.core.internal.Providers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * ({@link SpanSimScan#exact}); {@code quantize} selects the int8 scan with exact rescoring, and for pools above
 * {@value #AUTO_APPROXIMATE_ABOVE} sentences (or {@code approximate: always}) an {@link IvfIndex} is used.
 *
 * <p>Thread-safe. {@link #close()} closes the encoder when the retriever owns it (when its provider made it).
 */
public final class SpanSimRetriever implements Retriever {
    private static final Logger log = LoggerFactory.getLogger(SpanSimRetriever.class);

    /** With {@code approximate: auto}, pools with more sentences than this use the approximate index. */
    public static final int AUTO_APPROXIMATE_ABOVE = 100_000;
    /** Default IVF lists probed per query vector. */
    public static final int DEFAULT_PROBES = 8;
    /** Default number of query span vectors cached. */
    public static final int DEFAULT_SPAN_CACHE = 10_000;

    /** When to use the approximate index. */
    public enum Approximate {
        /** Above {@link #AUTO_APPROXIMATE_ABOVE} pool sentences. */
        AUTO,
        /** Never: always the exact (or int8) scan. */
        NEVER,
        /** Always. */
        ALWAYS
    }

    /**
     * How the retriever works.
     *
     * @param spanMode how span vectors are made
     * @param weigher the span weights
     * @param indexFile where the pool index is loaded from or saved to; null keeps it in memory only
     * @param quantize whether the exact scan is replaced by the int8 scan with exact rescoring
     * @param threads threads one search may use, {@code >= 1}
     * @param approximate when to use the approximate index
     * @param probes IVF lists probed per query vector, {@code >= 1}
     * @param spanCache query span vectors kept, by span text, for later queries ({@code text} span vectors only;
     *     0 turns the cache off). Query spans are encoded each alone, like the pool's span texts, whether or
     *     not the cache is on; the cache only saves encoding a span text again
     */
    public record Options(PoolIndex.SpanMode spanMode, SpanWeigher weigher, Path indexFile, boolean quantize,
                          int threads, Approximate approximate, int probes, int spanCache) {
        /** Validates. */
        public Options {
            Objects.requireNonNull(spanMode, "spanMode");
            Objects.requireNonNull(weigher, "weigher");
            Objects.requireNonNull(approximate, "approximate");
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            if (probes < 1) {
                throw new IllegalArgumentException("probes must be >= 1, got " + probes);
            }
            if (spanCache < 0) {
                throw new IllegalArgumentException("spanCache must be >= 0, got " + spanCache);
            }
        }

        /**
         * The options without a span cache, for callers of the 7-component form.
         *
         * @param spanMode how span vectors are made
         * @param weigher the span weights
         * @param indexFile where the pool index is loaded from or saved to; null keeps it in memory only
         * @param quantize whether the exact scan is replaced by the int8 scan with exact rescoring
         * @param threads threads one search may use, {@code >= 1}
         * @param approximate when to use the approximate index
         * @param probes IVF lists probed per query vector, {@code >= 1}
         */
        public Options(PoolIndex.SpanMode spanMode, SpanWeigher weigher, Path indexFile, boolean quantize,
                       int threads, Approximate approximate, int probes) {
            this(spanMode, weigher, indexFile, quantize, threads, approximate, probes, 0);
        }

        /**
         * @return text span vectors, default weights, no file, exact scan, one thread per available core, a cache
         *     of {@value #DEFAULT_SPAN_CACHE} query span vectors
         */
        public static Options defaults() {
            return new Options(PoolIndex.SpanMode.TEXT, EnglishSpanWeigher.DEFAULT, null, false, defaultThreads(),
                    Approximate.AUTO, DEFAULT_PROBES, DEFAULT_SPAN_CACHE);
        }
    }

    private final List<Demonstration> pool;
    private final SentenceEncoder encoder;
    private final boolean ownsEncoder;
    private final Options options;
    private final PoolIndex index;
    private final boolean useApproximate;
    private final Map<String, int[]> byText;
    private final Parallel parallel;
    private final Map<String, float[]> spanCache; // null when off; guarded by itself
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
    public SpanSimRetriever(List<Demonstration> pool, SentenceEncoder encoder, boolean ownsEncoder, Options options) {
        this.pool = List.copyOf(pool);
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.ownsEncoder = ownsEncoder;
        this.options = Objects.requireNonNull(options, "options");
        if (this.pool.isEmpty()) {
            throw new El4nerConfigurationException("retriever " + Provider.NAME + ": the demonstration pool is empty; "
                    + "give demonstrations, or use no retriever (zero-shot)");
        }
        this.parallel = new Parallel(options.threads());
        int cacheSize = options.spanMode() == PoolIndex.SpanMode.TEXT ? options.spanCache() : 0;
        this.spanCache = cacheSize == 0 ? null : new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > cacheSize;
            }
        };
        try {
            this.useApproximate = options.approximate() == Approximate.ALWAYS
                    || (options.approximate() == Approximate.AUTO && this.pool.size() > AUTO_APPROXIMATE_ABOVE);
            this.index = loadOrBuild();
            if (!useApproximate && !options.quantize()) {
                // the exact scan reads only the dimension-major copy
                index.spans().table().dropRows();
                index.sentences().table().dropRows();
            }
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

    private PoolIndex loadOrBuild() {
        byte[] fingerprint = PoolIndex.fingerprint(pool);
        Path file = options.indexFile();
        PoolIndex idx;
        boolean save = false;
        if (file != null && Files.exists(file)) {
            idx = IndexFile.load(file, new IndexFile.Expected(encoder.identity(), encoder.dimension(),
                    options.spanMode(), fingerprint));
            log.info("loaded span index {} ({} sentences)", file.toAbsolutePath(), idx.poolSize());
        } else {
            idx = PoolIndex.build(pool, encoder, options.spanMode());
            save = file != null;
        }
        if (useApproximate && needsIvf(idx)) {
            long t0 = System.nanoTime();
            idx = idx.withApproximateIndex(parallel);
            log.info("built the approximate span index in {} ms", (System.nanoTime() - t0) / 1_000_000);
            save = file != null;
        }
        if (save) {
            IndexFile.save(idx, file);
            log.info("saved span index {}", file.toAbsolutePath());
        }
        return idx;
    }

    private static boolean needsIvf(PoolIndex idx) {
        return (idx.spans().ivf() == null && idx.spans().table().size() > 0) || idx.sentences().ivf() == null;
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
            queries = vectors(encoder.encode(List.of(sentence)), 1, "sentence");
            w = new float[] {1f};
        } else {
            set = index.spans();
            queries = vectors(encodeSpans(sentence, kept), kept.size(), "span");
            w = new float[weights.size()];
            for (int j = 0; j < w.length; j++) {
                w[j] = weights.get(j);
            }
        }
        if (useApproximate && set.ivf() != null) {
            return SpanSimScan.approximate(set, queries, w, k, excluded, options.probes(),
                    SpanSimScan.approximateVectorsPerQuery(k), parallel);
        }
        if (options.quantize()) {
            return SpanSimScan.int8(set, queries, w, k, excluded, parallel);
        }
        return SpanSimScan.exact(set, queries, w, k, excluded, parallel);
    }

    private List<float[]> encodeSpans(String sentence, List<String> spans) {
        if (options.spanMode() == PoolIndex.SpanMode.TEXT) {
            // each span alone, as the index encodes pool spans: the same text always gets the same vector
            if (spanCache == null) {
                return encoder.encodeEach(spans);
            }
            float[][] out = new float[spans.size()][];
            List<String> missing = new ArrayList<>();
            synchronized (spanCache) {
                for (int i = 0; i < out.length; i++) {
                    out[i] = spanCache.get(spans.get(i));
                    if (out[i] == null) {
                        missing.add(spans.get(i));
                    }
                }
            }
            if (!missing.isEmpty()) {
                List<float[]> fresh = encoder.encodeEach(missing);
                PoolIndex.checkVectors(encoder, fresh, missing.size(), index.dimension(), "span");
                synchronized (spanCache) {
                    for (int i = 0, m = 0; i < out.length; i++) {
                        if (out[i] == null) {
                            out[i] = fresh.get(m++);
                            spanCache.put(spans.get(i), out[i]);
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
        PoolIndex.checkVectors(encoder, inContext, ranges.size(), index.dimension(), "span");
        List<float[]> standalone = alone.isEmpty() ? List.of() : encoder.encodeEach(alone);
        PoolIndex.checkVectors(encoder, standalone, alone.size(), index.dimension(), "span");
        List<float[]> out = new ArrayList<>(spans.size());
        for (int x : where) {
            out.add(x >= 0 ? inContext.get(x) : standalone.get(-1 - x));
        }
        return out;
    }

    private float[][] vectors(List<float[]> vs, int expected, String what) {
        PoolIndex.checkVectors(encoder, vs, expected, index.dimension(), what);
        float[][] out = new float[vs.size()][];
        for (int j = 0; j < out.length; j++) {
            out[j] = VectorMath.normalize(vs.get(j).clone());
        }
        return out;
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

    static int defaultThreads() {
        return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Provider {@code span-sim}, priority -10 (below {@code token-overlap}, so it is never chosen without being
     * named: it needs an encoder model). Parameters, all optional:
     * <ul>
     *   <li>{@code encoder}: {@code {"provider": name, "parameters": {...}}}, the {@link SentenceEncoderProvider}
     *       to use; default {@code {"provider": "onnx-sentence"}};</li>
     *   <li>{@code spanVectors}: {@code "text"} (each span encoded alone, the default, as in the reference
     *       implementation) or {@code "context"} (in its sentence);</li>
     *   <li>{@code index}: a file path; loaded when it exists (it must match the encoder, span mode and pool),
     *       else the index is built and saved there;</li>
     *   <li>{@code quantize}: {@code true} for the int8 scan with exact rescoring; default false;</li>
     *   <li>{@code threads}: threads one search may use; default the available processors, at most 8;</li>
     *   <li>{@code approximate}: {@code "auto"} (the default: above {@value #AUTO_APPROXIMATE_ABOVE} pool
     *       sentences), {@code "never"} or {@code "always"};</li>
     *   <li>{@code probes}: IVF lists probed per span; default {@value #DEFAULT_PROBES};</li>
     *   <li>{@code weights}: {@code {"properNoun": 4, "commonNoun": 2, "pronoun": 1}} (the defaults), see
     *       {@link EnglishSpanWeigher};</li>
     *   <li>{@code spanCache}: query span vectors kept for later queries, {@code text} span vectors only; default
     *       {@value #DEFAULT_SPAN_CACHE}, 0 for none.</li>
     * </ul>
     */
    public static final class Provider implements RetrieverProvider {
        /** The provider's name. */
        public static final String NAME = "span-sim";
        /** The default encoder provider. */
        public static final String DEFAULT_ENCODER = "onnx-sentence";
        private static final Set<String> KNOWN = Set.of("encoder", "spanVectors", "index", "quantize", "threads",
                "approximate", "probes", "weights", "spanCache");

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public int priority() {
            return -10;
        }

        @Override
        public Retriever create(ComponentConfig config) {
            config.requireOnly(KNOWN);
            String c = config.component();
            if (config.pool().isEmpty()) {
                throw new El4nerConfigurationException(c + ": the demonstration pool is empty; give demonstrations, "
                        + "or use no retriever (zero-shot)");
            }
            String modeName = config.string("spanVectors").orElse("text");
            PoolIndex.SpanMode mode = switch (modeName) {
                case "text" -> PoolIndex.SpanMode.TEXT;
                case "context" -> PoolIndex.SpanMode.CONTEXT;
                default -> throw new El4nerConfigurationException(c + ": parameter 'spanVectors' must be \"text\" or "
                        + "\"context\", got \"" + modeName + "\"");
            };
            String approxName = config.string("approximate").orElse("auto");
            Approximate approx = switch (approxName) {
                case "auto" -> Approximate.AUTO;
                case "never" -> Approximate.NEVER;
                case "always" -> Approximate.ALWAYS;
                default -> throw new El4nerConfigurationException(c + ": parameter 'approximate' must be \"auto\", "
                        + "\"never\" or \"always\", got \"" + approxName + "\"");
            };
            int threads = config.integer("threads", defaultThreads());
            if (threads < 1) {
                throw new El4nerConfigurationException(c + ": parameter 'threads' must be >= 1, got " + threads);
            }
            int probes = config.integer("probes", DEFAULT_PROBES);
            if (probes < 1) {
                throw new El4nerConfigurationException(c + ": parameter 'probes' must be >= 1, got " + probes);
            }
            Path file = config.path("index").orElse(null);
            int spanCache = config.integer("spanCache", DEFAULT_SPAN_CACHE);
            if (spanCache < 0) {
                throw new El4nerConfigurationException(c + ": parameter 'spanCache' must be >= 0, got " + spanCache);
            }
            Options options = new Options(mode, weigher(config), file, config.bool("quantize", false), threads,
                    approx, probes, spanCache);

            String encoderName = DEFAULT_ENCODER;
            Map<String, Object> encoderParameters = Map.of();
            Object e = config.parameters().get("encoder");
            if (e != null) {
                if (!(e instanceof Map<?, ?> m)) {
                    throw new El4nerConfigurationException(c + ": parameter 'encoder' must be an object "
                            + "{\"provider\": name, \"parameters\": {...}}, got " + e);
                }
                for (Object key : m.keySet()) {
                    if (!"provider".equals(key) && !"parameters".equals(key)) {
                        throw new El4nerConfigurationException(c + ": parameter 'encoder' has an unknown field '" + key
                                + "'; known fields: [parameters, provider]");
                    }
                }
                Object p = m.get("provider");
                if (p != null) {
                    if (!(p instanceof String s) || s.isBlank()) {
                        throw new El4nerConfigurationException(c + ": 'encoder.provider' must be a provider name, "
                                + "got " + p);
                    }
                    encoderName = s;
                }
                Object params = m.get("parameters");
                if (params != null) {
                    if (!(params instanceof Map<?, ?> pm)) {
                        throw new El4nerConfigurationException(c + ": 'encoder.parameters' must be an object, got "
                                + params);
                    }
                    Map<String, Object> copy = new LinkedHashMap<>();
                    pm.forEach((k, v) -> copy.put(String.valueOf(k), v));
                    encoderParameters = copy;
                }
            }
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader == null) {
                loader = SpanSimRetriever.class.getClassLoader();
            }
            SentenceEncoderProvider ep;
            try {
                ep = Providers.byName(SentenceEncoderProvider.class, encoderName, loader);
            } catch (El4nerConfigurationException ex) {
                if (!encoderName.equals(DEFAULT_ENCODER)) {
                    throw ex;
                }
                throw new El4nerConfigurationException(c + ": its default encoder '" + DEFAULT_ENCODER + "' comes "
                        + "with io.el4ner:el4ner-onnx, which is not on the class path; add that dependency, or name "
                        + "another encoder with the parameter 'encoder' (" + ex.getMessage() + ")", ex);
            }
            SentenceEncoder encoder = ep.create(config.nested(c + " encoder '" + encoderName + "'",
                    encoderParameters));
            try {
                return new SpanSimRetriever(config.pool(), encoder, true, options);
            } catch (RuntimeException ex) {
                try {
                    encoder.close();
                } catch (RuntimeException suppressed) {
                    ex.addSuppressed(suppressed);
                }
                throw ex;
            }
        }

        private static SpanWeigher weigher(ComponentConfig config) {
            Object w = config.parameters().get("weights");
            if (w == null) {
                return EnglishSpanWeigher.DEFAULT;
            }
            String c = config.component();
            if (!(w instanceof Map<?, ?> m)) {
                throw new El4nerConfigurationException(c + ": parameter 'weights' must be an object "
                        + "{\"properNoun\": 4, \"commonNoun\": 2, \"pronoun\": 1}, got " + w);
            }
            double[] values = {4, 2, 1};
            List<String> names = List.of("properNoun", "commonNoun", "pronoun");
            for (Map.Entry<?, ?> en : m.entrySet()) {
                int at = names.indexOf(String.valueOf(en.getKey()));
                if (at < 0) {
                    throw new El4nerConfigurationException(c + ": parameter 'weights' has an unknown field '"
                            + en.getKey() + "'; known fields: " + names);
                }
                if (!(en.getValue() instanceof Number num) || !(num.doubleValue() >= 0)
                        || Double.isInfinite(num.doubleValue())) {
                    throw new El4nerConfigurationException(c + ": 'weights." + en.getKey() + "' must be a number >= 0,"
                            + " got " + en.getValue());
                }
                values[at] = num.doubleValue();
            }
            return new EnglishSpanWeigher(values[0], values[1], values[2]);
        }
    }
}
