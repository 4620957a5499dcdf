package io.el4ner.core.internal.retrieval;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link SpanSimRetriever} works: what its provider reads from the {@code span-sim} parameters
 * ({@link SpanSimRetrieverProvider}), or what a caller that builds the retriever directly gives it.
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
public record SpanSimOptions(PoolIndex.SpanMode spanMode, SpanWeigher weigher, Path indexFile, boolean quantize,
                             int threads, Approximate approximate, int probes, int spanCache) {
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

    /** Validates. */
    public SpanSimOptions {
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
    public SpanSimOptions(PoolIndex.SpanMode spanMode, SpanWeigher weigher, Path indexFile, boolean quantize,
                          int threads, Approximate approximate, int probes) {
        this(spanMode, weigher, indexFile, quantize, threads, approximate, probes, 0);
    }

    /**
     * @return text span vectors, default weights, no file, exact scan, one thread per available core, a cache
     *     of {@value #DEFAULT_SPAN_CACHE} query span vectors
     */
    public static SpanSimOptions defaults() {
        return new SpanSimOptions(PoolIndex.SpanMode.TEXT, EnglishSpanWeigher.DEFAULT, null, false, defaultThreads(),
                Approximate.AUTO, DEFAULT_PROBES, DEFAULT_SPAN_CACHE);
    }

    /**
     * @param poolSize sentences in the pool
     * @return whether a pool of that size is searched with the approximate index
     */
    boolean approximateFor(int poolSize) {
        return approximate == Approximate.ALWAYS || (approximate == Approximate.AUTO
                && poolSize > AUTO_APPROXIMATE_ABOVE);
    }

    /** @return the available processors, at most 8 */
    static int defaultThreads() {
        return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    }
}
