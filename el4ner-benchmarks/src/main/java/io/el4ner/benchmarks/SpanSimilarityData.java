package io.el4ner.benchmarks;

import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.Scheme;
import io.el4ner.core.internal.retrieval.EnglishSpanWeigher;
import io.el4ner.core.internal.retrieval.SegmentedVectors;
import io.el4ner.core.internal.retrieval.VectorMath;
import io.el4ner.core.internal.retrieval.VectorTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Span-vector pools for the span-similarity benchmarks. Vectors are synthetic (embedding tens of thousands of
 * spans with a real model inside a benchmark set-up would take minutes), unit, of dimension 384 (MiniLM's), and
 * clustered: each distinct span belongs to one of {@code distinct / 50} clusters and has a cosine of about 0.8
 * to its cluster centre (about 0.64 to another member, about 0 to other clusters), so that nearest neighbours
 * are meaningful. Equal span strings get equal vectors, as with an encoder in {@code text} mode.
 *
 * <ul>
 *   <li>{@link #conllTrain}: when {@code conll2003/eng.train} is under the data folder, the real pool structure
 *       (14,041 sentences, their gold spans, deduplicated by string); otherwise a synthetic pool of the same
 *       shape ({@link #synthetic} with 14,041 sentences).</li>
 *   <li>{@link #conllDevQueries}: one query per {@code eng.testa} sentence with at least one span of positive
 *       weight (spans weighted by {@link EnglishSpanWeigher}); a span string seen in the pool gets the pool's
 *       vector, a new one a new vector of a random cluster. Without the file, synthetic queries of the same
 *       shape (68% of dev spans occur in train).</li>
 *   <li>{@link #synthetic}: any number of sentences with CoNLL-2003 train's spans-per-sentence histogram and
 *       a skewed reuse of span strings calibrated on it (about 8,100 distinct of 23,500 spans at 14,041
 *       sentences; the most frequent in about 1% of sentences).</li>
 * </ul>
 */
final class SpanSimilarityData {
    static final int DIMENSION = 384;
    /** Cosine of a member to its cluster centre: about 0.8. */
    private static final double SPREAD = 0.75;
    /** CoNLL-2003 train: sentences with 0, 1, 2, ... gold spans. */
    private static final int[] TRAIN_SPANS = {2909, 4996, 2956, 1424, 1068, 393, 159, 69, 33, 12, 6, 2, 8, 1, 1};
    /** CoNLL-2003 dev (testa), same. */
    private static final int[] DEV_SPANS = {645, 1026, 787, 345, 234, 104, 48, 23, 12, 12, 2, 1, 3, 1, 1};
    private static final int TRAIN_SENTENCES = 14041;
    private static final double SEEN_IN_TRAIN = 0.68;

    /** A pool and how to make queries that look like its dev set. */
    static final class Pool {
        final String source;
        final SegmentedVectors spans;
        final int spanCount;
        final float[][] centers;
        final Map<String, Integer> vocabulary;
        final int vocabularySize;
        final long seed;

        Pool(String source, SegmentedVectors spans, int spanCount, float[][] centers, Map<String, Integer> vocabulary,
             int vocabularySize, long seed) {
            this.source = source;
            this.spans = spans;
            this.spanCount = spanCount;
            this.centers = centers;
            this.vocabulary = vocabulary;
            this.vocabularySize = vocabularySize;
            this.seed = seed;
        }

        @Override
        public String toString() {
            return String.format("%s: %,d sentences, %,d spans, %,d distinct span vectors, dimension %d", source,
                    spans.sentences(), spanCount, spans.table().size(), spans.table().dimension());
        }
    }

    /** A query: span vectors and their weights. */
    record Query(float[][] vectors, float[] weights) {
    }

    private SpanSimilarityData() {
    }

    static Path dataDir() {
        return Path.of(System.getProperty("el4ner.data", "../shared/data"));
    }

    private static float[] unit(SplittableRandom r, int d) {
        float[] v = new float[d];
        for (int t = 0; t < d; t++) {
            v[t] = (float) (r.nextDouble() * 2 - 1);
        }
        return VectorMath.normalize(v);
    }

    private static float[] member(SplittableRandom r, float[] center) {
        double a = SPREAD * Math.sqrt(3.0 / center.length);
        float[] v = new float[center.length];
        for (int t = 0; t < v.length; t++) {
            v[t] = (float) (center[t] + a * (r.nextDouble() * 2 - 1));
        }
        return VectorMath.normalize(v);
    }

    private static float[][] centers(SplittableRandom r, int vocabulary) {
        float[][] c = new float[Math.max(1, vocabulary / 50)][];
        for (int i = 0; i < c.length; i++) {
            c[i] = unit(r, DIMENSION);
        }
        return c;
    }

    private static int sample(SplittableRandom r, int[] histogram) {
        int total = 0;
        for (int h : histogram) {
            total += h;
        }
        int x = r.nextInt(total);
        for (int i = 0; i < histogram.length; i++) {
            x -= histogram[i];
            if (x < 0) {
                return i;
            }
        }
        return histogram.length - 1;
    }

    /** A skewed draw from {@code [0, n)}: density proportional to {@code 1 / sqrt(i)}. */
    private static int skewed(SplittableRandom r, int n) {
        double u = r.nextDouble();
        return Math.min(n - 1, (int) (n * u * u));
    }

    /**
     * @param sentences pool sentences
     * @param seed the seed
     * @return a synthetic pool of CoNLL-2003 train's shape
     */
    static Pool synthetic(int sentences, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int vocabulary = Math.max(1, (int) Math.round(sentences * 9700.0 / TRAIN_SENTENCES));
        List<int[]> rows = new ArrayList<>(sentences);
        int[] newId = new int[vocabulary];
        java.util.Arrays.fill(newId, -1);
        int distinct = 0;
        int total = 0;
        for (int i = 0; i < sentences; i++) {
            TreeSet<Integer> mine = new TreeSet<>();
            int n = sample(r, TRAIN_SPANS);
            for (int x = 0; x < n; x++) {
                int word = skewed(r, vocabulary);
                if (newId[word] < 0) {
                    newId[word] = distinct++;
                }
                mine.add(newId[word]);
            }
            total += n;
            rows.add(mine.stream().mapToInt(Integer::intValue).toArray());
        }
        return build("synthetic (CoNLL-2003 train shape)", rows, total, distinct, null, vocabulary, r, seed);
    }

    private static Pool build(String source, List<int[]> rows, int spanCount, int distinct,
                              Map<String, Integer> vocabulary, int vocabularySize, SplittableRandom r, long seed) {
        int n = rows.size();
        int[] start = new int[n + 1];
        int e = 0;
        for (int i = 0; i < n; i++) {
            e += rows.get(i).length;
            start[i + 1] = e;
        }
        int[] ids = new int[e];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows.get(i), 0, ids, start[i], rows.get(i).length);
        }
        float[][] centers = centers(r, distinct);
        float[] table = new float[Math.multiplyExact(distinct, DIMENSION)];
        for (int v = 0; v < distinct; v++) {
            System.arraycopy(member(r, centers[r.nextInt(centers.length)]), 0, table, v * DIMENSION, DIMENSION);
        }
        SegmentedVectors set = SegmentedVectors.of(VectorTable.ofRows(table, DIMENSION), start, ids, null);
        return new Pool(source, set, spanCount, centers, vocabulary, vocabularySize, seed);
    }

    private static List<ConllSentence> read(Path file) {
        try {
            return ConllReader.builder().scheme(Scheme.IOB1).build().read(file);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param seed the seed
     * @return CoNLL-2003 train's pool (real structure when the data is there)
     */
    static Pool conllTrain(long seed) {
        Path train = dataDir().resolve("conll2003/eng.train");
        if (!Files.isRegularFile(train)) {
            return synthetic(TRAIN_SENTENCES, seed);
        }
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Integer> vocabulary = new LinkedHashMap<>();
        List<int[]> rows = new ArrayList<>();
        int total = 0;
        for (ConllSentence s : read(train)) {
            Demonstration d = s.toDemonstration();
            TreeSet<Integer> mine = new TreeSet<>();
            for (LabeledSpan span : d.spans()) {
                mine.add(vocabulary.computeIfAbsent(d.surface(span).strip(), k -> vocabulary.size()));
                total++;
            }
            rows.add(mine.stream().mapToInt(Integer::intValue).toArray());
        }
        return build("CoNLL-2003 train (" + train + ", synthetic vectors)", rows, total, vocabulary.size(),
                vocabulary, vocabulary.size(), r, seed);
    }

    /**
     * @param pool the pool
     * @param max at most this many queries
     * @param seed the seed
     * @return queries shaped like CoNLL-2003 dev (its real spans when the data is there and the pool is
     *     CoNLL-2003 train's)
     */
    static List<Query> conllDevQueries(Pool pool, int max, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Path dev = dataDir().resolve("conll2003/eng.testa");
        List<Query> out = new ArrayList<>();
        if (pool.vocabulary != null && Files.isRegularFile(dev)) {
            Map<String, float[]> fresh = new HashMap<>();
            for (ConllSentence s : read(dev)) {
                Demonstration d = s.toDemonstration();
                List<float[]> vs = new ArrayList<>();
                List<Float> ws = new ArrayList<>();
                for (String span : new java.util.LinkedHashSet<>(d.spans().stream().map(x -> d.surface(x).strip())
                        .toList())) {
                    double w = EnglishSpanWeigher.DEFAULT.weight(span);
                    if (w <= 0) {
                        continue;
                    }
                    Integer id = pool.vocabulary.get(span);
                    vs.add(id != null ? pool.spans.table().vector(id)
                            : fresh.computeIfAbsent(span, k -> member(r, pool.centers[r.nextInt(pool.centers.length)])));
                    ws.add((float) w);
                }
                if (!vs.isEmpty() && out.size() < max) {
                    out.add(query(vs, ws));
                }
            }
            return out;
        }
        float[] weights = {4, 4, 4, 2, 1};
        while (out.size() < max) {
            int n = sample(r, DEV_SPANS);
            if (n == 0) {
                continue;
            }
            List<float[]> vs = new ArrayList<>();
            List<Float> ws = new ArrayList<>();
            for (int x = 0; x < n; x++) {
                vs.add(r.nextDouble() < SEEN_IN_TRAIN
                        ? pool.spans.table().vector(skewed(r, pool.spans.table().size()))
                        : member(r, pool.centers[r.nextInt(pool.centers.length)]));
                ws.add(weights[r.nextInt(weights.length)]);
            }
            out.add(query(vs, ws));
        }
        return out;
    }

    private static Query query(List<float[]> vs, List<Float> ws) {
        float[] w = new float[ws.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = ws.get(i);
        }
        return new Query(vs.toArray(new float[0][]), w);
    }
}
