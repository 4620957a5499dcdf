package io.el4ner.benchmarks;

import io.el4ner.core.internal.retrieval.ApproximateScan;
import io.el4ner.core.internal.retrieval.ExactScan;
import io.el4ner.core.internal.retrieval.Hits;
import io.el4ner.core.internal.retrieval.IvfIndex;
import io.el4ner.core.internal.retrieval.Parallel;
import io.el4ner.core.internal.retrieval.SegmentedVectors;
import io.el4ner.core.internal.retrieval.SpanSimOptions;
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
 * How a SpanSim top-5 query grows with the pool: synthetic pools of CoNLL-2003 train's shape
 * ({@link SpanSimilarityData#synthetic}) from 10^3 to 10^6 sentences, exact scan against the approximate IVF
 * index ({@code probes} lists per query span, default {@value SpanSimOptions#DEFAULT_PROBES}), both with all
 * available threads as the retriever runs them. The 10^6 pool
 * holds about 576,000 distinct span vectors (880 MB of floats, twice that with the row-major copy the
 * approximate search reads), hence {@code -Xmx8g}; its set-up (generation, and for {@code approximate} the
 * IVF clustering into 3,036 lists) takes one to two minutes per fork on two cores. Recall is measured by
 * {@code SpanSimilarityStudy}, not here. Run with:
 * {@code ./mvnw -q -pl el4ner-benchmarks -am -DskipTests package && java -jar el4ner-benchmarks/target/benchmarks.jar SpanSimilarityScale -f 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx8g"})
public class SpanSimilarityScaleBenchmark {
    private static final int K = 5;
    private static final int[] NONE = {};

    @Param({"1000", "10000", "100000", "1000000"})
    int sentences;

    @Param({"exact", "approximate"})
    String mode;

    /** IVF lists probed per query span ({@code approximate} only). */
    @Param({"8"})
    int probes;

    private SegmentedVectors pool;
    private List<SpanSimilarityData.Query> queries;
    private Parallel parallel;
    private int next;

    /** Builds the pool (and its IVF index for {@code approximate}) and the queries. */
    @Setup
    public void setUp() {
        SpanSimilarityData.Pool p = SpanSimilarityData.synthetic(sentences, 1);
        queries = SpanSimilarityData.conllDevQueries(p, 256, 2);
        parallel = new Parallel(Runtime.getRuntime().availableProcessors());
        if (mode.equals("approximate")) {
            pool = p.spans.withIvf(IvfIndex.defaultLists(p.spans.table().size()), 42, parallel);
            pool.table().rows();
        } else {
            pool = p.spans;
            pool.table().dropRows();
        }
    }

    /** Stops the threads. */
    @TearDown
    public void tearDown() {
        parallel.close();
    }

    /** @return the top-5 */
    @Benchmark
    public Hits search() {
        SpanSimilarityData.Query q = queries.get(next++ & 255);
        if (mode.equals("approximate")) {
            return ApproximateScan.search(pool, q.vectors(), q.weights(), K, NONE, probes,
                    ApproximateScan.vectorsPerQuery(K), parallel);
        }
        return ExactScan.search(pool, q.vectors(), q.weights(), K, NONE, parallel);
    }
}
