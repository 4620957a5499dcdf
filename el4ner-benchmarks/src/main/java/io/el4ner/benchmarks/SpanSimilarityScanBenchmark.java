package io.el4ner.benchmarks;

import io.el4ner.core.internal.retrieval.ExactScan;
import io.el4ner.core.internal.retrieval.Hits;
import io.el4ner.core.internal.retrieval.Int8Scan;
import io.el4ner.core.internal.retrieval.Parallel;
import io.el4ner.core.internal.retrieval.SegmentedVectors;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One SpanSim query (top-5) against the CoNLL-2003 train pool: 14,041 sentences, 23,499 gold spans, 8,082
 * distinct span vectors of dimension 384 ({@link SpanSimilarityData}; the real pool structure when
 * {@code ../shared/data} is there, synthetic vectors). Queries cycle through 256 shaped like CoNLL-2003 dev
 * (1.8 weighted spans on average). Side by side, per query:
 * <ul>
 *   <li>{@code naiveScalar}: for each sentence, each of its spans, each query span: a one-accumulator
 *       row-major dot product; then a sort ({@link NaiveSpanSimScan}). No deduplication, one
 *       thread.</li>
 *   <li>{@code optimised}: {@link ExactScan} (dimension-major SIMD-friendly pass over the distinct
 *       vectors, once per query span, split over {@code threads}; segmented max; primitive top-k).</li>
 *   <li>{@code int8}: {@link Int8Scan} (int8 pass, exact rescoring of 50 candidates).</li>
 *   <li>{@code memoryRead}: sums every float of the distinct-vector table once, with the scan's loop shape
 *       and threads: the cost of reading the table, the bandwidth limit of one pass.</li>
 *   <li>{@code memoryReadPerQuerySpan}: the same, once per query span of the query: exactly the bytes the
 *       optimised scan reads (it makes one pass per query span).</li>
 * </ul>
 * The forks run a stock JVM (no heap flags). Run with:
 * {@code ./mvnw -q -pl el4ner-benchmarks -am -DskipTests package && java -jar el4ner-benchmarks/target/benchmarks.jar SpanSimilarityScan -f 1 -wi 5 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class SpanSimilarityScanBenchmark {
    private static final int K = 5;
    private static final int[] NONE = {};

    @Param({"1", "2"})
    int threads;

    private SegmentedVectors pool;
    private List<SpanSimilarityData.Query> queries;
    private Parallel parallel;
    private float[] acc;
    private int next;

    /** Builds the pool and the queries. */
    @Setup
    public void setUp() {
        SpanSimilarityData.Pool p = SpanSimilarityData.conllTrain(1);
        pool = p.spans;
        queries = SpanSimilarityData.conllDevQueries(p, 256, 2);
        parallel = new Parallel(threads);
        acc = new float[pool.table().size()];
        pool.table().rows();
        pool.table().int8();
    }

    /** Stops the threads. */
    @TearDown
    public void tearDown() {
        parallel.close();
    }

    private SpanSimilarityData.Query query() {
        return queries.get(next++ & 255);
    }

    /** @return the naive scan's top-5 */
    @Benchmark
    public Hits naiveScalar() {
        SpanSimilarityData.Query q = query();
        return NaiveSpanSimScan.search(pool, q.vectors(), q.weights(), K, NONE);
    }

    /** @return the optimised exact scan's top-5 */
    @Benchmark
    public Hits optimised() {
        SpanSimilarityData.Query q = query();
        return ExactScan.search(pool, q.vectors(), q.weights(), K, NONE, parallel);
    }

    /** @return the int8 scan's top-5 (exactly rescored) */
    @Benchmark
    public Hits int8() {
        SpanSimilarityData.Query q = query();
        return Int8Scan.search(pool, q.vectors(), q.weights(), K, NONE, parallel);
    }

    /** @return per-vector sums of the table: one read of the table */
    @Benchmark
    public float[] memoryRead() {
        query();
        return read(1);
    }

    /** @return per-vector sums of the table, once per query span: the bytes the optimised scan reads */
    @Benchmark
    public float[] memoryReadPerQuerySpan() {
        return read(query().vectors().length);
    }

    private float[] read(int passes) {
        float[][] columns = pool.table().columns();
        float[] a = acc;
        int n = a.length;
        int parts = parallel.partsFor((long) n * columns.length * passes, n);
        parallel.run(parts, p -> {
            for (int pass = 0; pass < passes; pass++) {
                sumColumns(columns, a, Parallel.bound(n, parts, p), Parallel.bound(n, parts, p + 1));
            }
        });
        return a;
    }

    /**
     * Sums every component of the vectors in {@code [lo, hi)} into {@code acc[lo..hi)}, reading exactly the
     * bytes the exact scan's float kernel reads, with the same loop shape: the memory-read baseline.
     *
     * @param columns the vectors, dimension-major
     * @param acc receives per-vector sums
     * @param lo first vector, inclusive
     * @param hi last vector, exclusive
     */
    private static void sumColumns(float[][] columns, float[] acc, int lo, int hi) {
        int d = columns.length;
        int t = 0;
        for (; t + 4 <= d; t += 4) {
            float[] x0 = columns[t];
            float[] x1 = columns[t + 1];
            float[] x2 = columns[t + 2];
            float[] x3 = columns[t + 3];
            for (int l = lo; l < hi; l++) {
                acc[l] += x0[l] + x1[l] + x2[l] + x3[l];
            }
        }
        for (; t < d; t++) {
            float[] x0 = columns[t];
            for (int l = lo; l < hi; l++) {
                acc[l] += x0[l];
            }
        }
    }
}
