package io.el4ner.benchmarks;

import io.el4ner.core.internal.retrieval.ApproximateScan;
import io.el4ner.core.internal.retrieval.ExactScan;
import io.el4ner.core.internal.retrieval.Hits;
import io.el4ner.core.internal.retrieval.Int8Scan;
import io.el4ner.core.internal.retrieval.IvfIndex;
import io.el4ner.core.internal.retrieval.Parallel;
import io.el4ner.core.internal.retrieval.SegmentedVectors;
import io.el4ner.core.internal.retrieval.SpanSimOptions;
import java.util.Arrays;
import java.util.List;

/**
 * The accuracy side of the span-similarity benchmarks, which JMH does not measure: how often the int8 scan
 * returns exactly the float scan's top-5 on CoNLL-2003 dev queries, and the recall@5 and speed of the
 * approximate (IVF) index against the exact scan on pools of 10^3 to 10^6 sentences (see
 * {@link SpanSimilarityData} for the data). Timings here are plain wall-clock means after a warm-up; the JMH
 * benchmarks {@code SpanSimilarityScan} and {@code SpanSimilarityScale} are the reference for speed. Run with
 * (the 10^6 pool needs about 5 GB of heap and a few minutes on two cores):
 * {@code java -Xmx8g -cp el4ner-benchmarks/target/benchmarks.jar io.el4ner.benchmarks.SpanSimilarityStudy [maxSentences] [queries]}
 */
public final class SpanSimilarityStudy {
    private static final int K = 5;
    private static final int[] NONE = {};

    private SpanSimilarityStudy() {
    }

    /**
     * @param args optional: the largest pool (default 1000000) and the queries per pool (default 200)
     */
    public static void main(String[] args) {
        int max = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int queriesPerPool = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int threads = Runtime.getRuntime().availableProcessors();
        try (Parallel parallel = new Parallel(threads); Parallel one = new Parallel(1)) {
            conll(parallel);
            System.out.println();
            System.out.println("| pool sentences | distinct span vectors | IVF lists | IVF build s | exact ms/query ("
                    + threads + " threads) | approximate ms/query (1 thread) | speed-up | recall@5 | top-5 identical |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            for (int n = 1000; n <= max; n *= 10) {
                scale(n, queriesPerPool, parallel, one, n == max || n == 1_000_000);
            }
        }
    }

    private static void conll(Parallel parallel) {
        SpanSimilarityData.Pool pool = SpanSimilarityData.conllTrain(1);
        List<SpanSimilarityData.Query> queries = SpanSimilarityData.conllDevQueries(pool, Integer.MAX_VALUE, 2);
        System.out.println(pool);
        int same = 0;
        int sameSet = 0;
        int naiveSame = 0;
        double overlap = 0;
        SegmentedVectors ivf = pool.spans.withIvf(IvfIndex.defaultLists(pool.spans.table().size()), 42, parallel);
        double approxRecall = 0;
        for (SpanSimilarityData.Query q : queries) {
            Hits exact = ExactScan.search(pool.spans, q.vectors(), q.weights(), K, NONE, parallel);
            Hits int8 = Int8Scan.search(pool.spans, q.vectors(), q.weights(), K, NONE, parallel);
            Hits naive = NaiveSpanSimScan.search(pool.spans, q.vectors(), q.weights(), K, NONE);
            if (int8.equals(exact)) {
                same++;
            }
            if (overlap(int8, exact) == K) {
                sameSet++;
            }
            overlap += overlap(int8, exact) / (double) K;
            if (Arrays.equals(naive.indices(), exact.indices())) {
                naiveSame++;
            }
            Hits approx = ApproximateScan.search(ivf, q.vectors(), q.weights(), K, NONE,
                    SpanSimOptions.DEFAULT_PROBES, ApproximateScan.vectorsPerQuery(K), parallel);
            approxRecall += overlap(approx, exact) / (double) K;
        }
        int n = queries.size();
        System.out.printf("CoNLL-2003 dev queries with a weighted span: %d%n", n);
        System.out.printf("int8 + exact rescoring: top-5 identical (order and scores) %.1f%%, same set %.1f%%, "
                + "recall@5 %.4f%n", 100.0 * same / n, 100.0 * sameSet / n, overlap / n);
        System.out.printf("naive scalar scan: top-5 order identical to the optimised scan %.1f%%%n",
                100.0 * naiveSame / n);
        System.out.printf("approximate (IVF, %d lists, %d probes): recall@5 %.4f%n", ivf.ivf().lists(),
                SpanSimOptions.DEFAULT_PROBES, approxRecall / n);
    }

    private static void scale(int sentences, int count, Parallel parallel, Parallel one, boolean sweep) {
        SpanSimilarityData.Pool pool = SpanSimilarityData.synthetic(sentences, 1);
        List<SpanSimilarityData.Query> queries = SpanSimilarityData.conllDevQueries(pool, count, 2);
        long t0 = System.nanoTime();
        SegmentedVectors ivf = pool.spans.withIvf(IvfIndex.defaultLists(pool.spans.table().size()), 42, parallel);
        double build = (System.nanoTime() - t0) / 1e9;
        pool.spans.table().dropRows();
        Hits[] exact = new Hits[queries.size()];
        // warm-up, then timed passes
        for (int rep = 0; rep < 2; rep++) {
            for (int i = 0; i < Math.min(20, queries.size()); i++) {
                SpanSimilarityData.Query q = queries.get(i);
                ExactScan.search(pool.spans, q.vectors(), q.weights(), K, NONE, parallel);
                ApproximateScan.search(ivf, q.vectors(), q.weights(), K, NONE, SpanSimOptions.DEFAULT_PROBES,
                        ApproximateScan.vectorsPerQuery(K), one);
            }
        }
        long e0 = System.nanoTime();
        for (int i = 0; i < queries.size(); i++) {
            SpanSimilarityData.Query q = queries.get(i);
            exact[i] = ExactScan.search(pool.spans, q.vectors(), q.weights(), K, NONE, parallel);
        }
        double exactMs = (System.nanoTime() - e0) / 1e6 / queries.size();
        int[] probesList = sweep ? new int[] {2, 4, 8, 16} : new int[] {SpanSimOptions.DEFAULT_PROBES};
        for (int probes : probesList) {
            Hits[] approx = new Hits[queries.size()];
            long a0 = System.nanoTime();
            for (int i = 0; i < queries.size(); i++) {
                SpanSimilarityData.Query q = queries.get(i);
                approx[i] = ApproximateScan.search(ivf, q.vectors(), q.weights(), K, NONE, probes,
                        ApproximateScan.vectorsPerQuery(K), one);
            }
            double approxMs = (System.nanoTime() - a0) / 1e6 / queries.size();
            double recall = 0;
            int identical = 0;
            for (int i = 0; i < queries.size(); i++) {
                recall += overlap(approx[i], exact[i]) / (double) K;
                if (approx[i].equals(exact[i])) {
                    identical++;
                }
            }
            String label = !sweep ? ""
                    : " (" + probes + " probes" + (probes == SpanSimOptions.DEFAULT_PROBES ? ", default)" : ")");
            System.out.printf("| %,d | %,d | %,d%s | %.1f | %.3f | %.3f | %.1fx | %.4f | %.1f%% |%n", sentences,
                    pool.spans.table().size(), ivf.ivf().lists(), label, build, exactMs,
                    approxMs, exactMs / approxMs, recall / queries.size(), 100.0 * identical / queries.size());
        }
    }

    private static int overlap(Hits a, Hits b) {
        int n = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < b.size(); j++) {
                if (a.index(i) == b.index(j)) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }
}
