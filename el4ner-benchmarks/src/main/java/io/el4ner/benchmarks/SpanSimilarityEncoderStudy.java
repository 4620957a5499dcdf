package io.el4ner.benchmarks;

import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.spi.Retriever;
import io.el4ner.core.internal.builtin.TokenOverlapRetriever;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.Scheme;
import io.el4ner.core.internal.retrieval.EnglishSpanWeigher;
import io.el4ner.core.internal.retrieval.Hits;
import io.el4ner.core.internal.retrieval.PoolIndex;
import io.el4ner.core.internal.retrieval.SpanSimOptions;
import io.el4ner.core.internal.retrieval.SpanSimRetriever;
import io.el4ner.onnx.OnnxSentenceEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Span-level retrieval with the real encoder on real data: the CoNLL-2003 train pool (14,041 sentences) indexed
 * with the bundled all-MiniLM-L6-v2-q ({@code onnx-sentence} defaults), span vectors from the span text alone
 * and in context; the index saved and loaded again; then every CoNLL-2003 dev sentence queried with its gold
 * spans (standing in for pre-extraction) through {@link SpanSimRetriever#search}, exact and int8, with and
 * without the query span cache, and through the sentence-level {@code token-overlap} retriever (each warmed up on
 * 300 CoNLL-2003 test sentences first). Reports index build and load times, query latency
 * (encoding the query's spans included), how often int8 gives exactly the exact top-5, and how relevant the
 * top-5 demonstrations are: the share of them with an entity of a type the query has, and the share that
 * contain one of the query's entity strings. Needs {@code ../shared/data} (or {@code -Del4ner.data=DIR}). Run with:
 * {@code java -cp el4ner-benchmarks/target/benchmarks.jar io.el4ner.benchmarks.SpanSimilarityEncoderStudy}
 */
public final class SpanSimilarityEncoderStudy {
    private static final int K = 5;

    private SpanSimilarityEncoderStudy() {
    }

    /**
     * @param args ignored
     * @throws IOException if the data or a temporary file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Path data = SpanSimilarityData.dataDir();
        List<Demonstration> pool = read(data.resolve("conll2003/eng.train"));
        List<Demonstration> dev = read(data.resolve("conll2003/eng.testa"));
        List<Demonstration> warmUp = read(data.resolve("conll2003/eng.testb")).subList(0, 300);
        System.out.printf("pool: CoNLL-2003 train, %d sentences; queries: CoNLL-2003 dev, %d sentences; "
                + "%d processors, Java %s%n", pool.size(), dev.size(), Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        Path dir = Files.createTempDirectory("el4ner-spansim-study");
        try (OnnxSentenceEncoder encoder = OnnxSentenceEncoder.builder().defaultModel().build()) {
            encoder.encode(List.of("warm-up")); // session start-up is not indexing
            System.out.println("| retriever | index build s | index file MB | index load s | query ms (mean) | "
                    + "query ms, span cache | int8 top-5 = exact | top-5 sharing a type | "
                    + "top-5 containing a query entity |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            Quality overlap = quality(new TokenOverlapRetriever(pool), warmUp, dev);
            System.out.printf("| token-overlap (sentence level) | - | - | - | %.2f | - | - | %.1f%% | %.1f%% |%n",
                    overlap.millis, overlap.sharedType, overlap.sharedEntity);
            for (PoolIndex.SpanMode mode : PoolIndex.SpanMode.values()) {
                Path file = dir.resolve(mode.configName() + ".idx");
                long t0 = System.nanoTime();
                SpanSimRetriever built = new SpanSimRetriever(pool, encoder, false, options(mode, file, false, 0));
                double build = (System.nanoTime() - t0) / 1e9;
                built.close();
                t0 = System.nanoTime();
                try (SpanSimRetriever exact = new SpanSimRetriever(pool, encoder, false,
                        options(mode, file, false, 0));
                     SpanSimRetriever int8 = new SpanSimRetriever(pool, encoder, false, options(mode, file, true, 0));
                     SpanSimRetriever cached = new SpanSimRetriever(pool, encoder, false,
                             options(mode, file, false, SpanSimOptions.DEFAULT_SPAN_CACHE))) {
                    double load = (System.nanoTime() - t0) / 3e9;
                    int same = 0;
                    for (Demonstration d : dev) {
                        List<String> spans = spans(d);
                        Hits a = exact.search(d.text(), spans, K);
                        Hits b = int8.search(d.text(), spans, K);
                        if (a.equals(b)) {
                            same++;
                        }
                    }
                    Quality q = quality(exact, warmUp, dev);
                    String withCache = "-";
                    if (mode == PoolIndex.SpanMode.TEXT) {
                        Quality c = quality(cached, warmUp, dev);
                        withCache = String.format("%.2f (%.1f%% / %.1f%%)", c.millis, c.sharedType, c.sharedEntity);
                    }
                    System.out.printf("| span-sim, spanVectors %s | %.1f | %.1f | %.2f | %.2f | %s | %.1f%% | %.1f%% | "
                            + "%.1f%% |%n", mode.configName(), build, Files.size(file) / 1e6, load, q.millis,
                            withCache, 100.0 * same / dev.size(), q.sharedType, q.sharedEntity);
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static SpanSimOptions options(PoolIndex.SpanMode mode, Path file, boolean quantize,
                                                    int spanCache) {
        return new SpanSimOptions(mode, EnglishSpanWeigher.DEFAULT, file, quantize,
                Runtime.getRuntime().availableProcessors(), SpanSimOptions.Approximate.NEVER,
                SpanSimOptions.DEFAULT_PROBES, spanCache);
    }

    private record Quality(double millis, double sharedType, double sharedEntity) {
    }

    /**
     * Warms the retriever up on other sentences (CoNLL-2003 test), then runs every dev sentence through it once,
     * timed: a span cache starts with the warm-up's spans only.
     */
    private static Quality quality(Retriever retriever, List<Demonstration> warmUp, List<Demonstration> dev) {
        for (Demonstration d : warmUp) {
            retriever.retrieve(d.text(), spans(d), K);
        }
        long typed = 0;
        long sharedType = 0;
        long withEntity = 0;
        long sharedEntity = 0;
        long t0 = System.nanoTime();
        List<List<Demonstration>> answers = new ArrayList<>();
        for (Demonstration d : dev) {
            answers.add(retriever.retrieve(d.text(), spans(d), K));
        }
        double millis = (System.nanoTime() - t0) / 1e6 / dev.size();
        for (int i = 0; i < dev.size(); i++) {
            Demonstration d = dev.get(i);
            Set<String> types = new HashSet<>();
            Set<String> strings = new HashSet<>();
            for (LabeledSpan s : d.spans()) {
                types.add(s.type());
                strings.add(d.surface(s).strip());
            }
            if (types.isEmpty()) {
                continue;
            }
            for (Demonstration a : answers.get(i)) {
                typed++;
                withEntity++;
                boolean type = false;
                boolean entity = false;
                for (LabeledSpan s : a.spans()) {
                    type |= types.contains(s.type());
                    entity |= strings.contains(a.surface(s).strip());
                }
                sharedType += type ? 1 : 0;
                sharedEntity += entity ? 1 : 0;
            }
        }
        return new Quality(millis, 100.0 * sharedType / Math.max(1, typed),
                100.0 * sharedEntity / Math.max(1, withEntity));
    }

    private static List<String> spans(Demonstration d) {
        return d.spans().stream().map(d::surface).toList();
    }

    private static List<Demonstration> read(Path file) {
        try {
            return ConllReader.builder().scheme(Scheme.IOB1).build().read(file).stream()
                    .map(ConllSentence::toDemonstration).toList();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
