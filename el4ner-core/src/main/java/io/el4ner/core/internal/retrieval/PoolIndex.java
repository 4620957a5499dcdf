package io.el4ner.core.internal.retrieval;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerException;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SentenceEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vectors SpanSim needs for a pool, made once: every distinct pool span (the gold spans of the
 * demonstrations) and every distinct sentence, each encoded once, with the encoder's identity and a fingerprint
 * of the pool so that a saved index is never used with another encoder or pool ({@link IndexFile}). Immutable
 * and thread-safe.
 */
public final class PoolIndex {
    private static final Logger log = LoggerFactory.getLogger(PoolIndex.class);
    private static final int BATCH = 1024;

    /** How span vectors are made. */
    public enum SpanMode {
        /** Each span's text encoded alone, as the reference implementation does. */
        TEXT,
        /** Each span encoded in its sentence ({@link SentenceEncoder#encodeSpans}). */
        CONTEXT;

        /** @return the name used in configurations */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String encoderIdentity;
    private final int dimension;
    private final SpanMode mode;
    private final byte[] poolFingerprint;
    private final SegmentedVectors spans;
    private final SegmentedVectors sentences;

    /**
     * @param encoderIdentity the encoder's {@link SentenceEncoder#identity()}
     * @param mode how the span vectors were made
     * @param poolFingerprint {@link #fingerprint(List)} of the pool
     * @param spans the span vectors, one segment per pool sentence
     * @param sentences the sentence vectors, one vector per pool sentence
     * @throws IllegalArgumentException if the parts do not fit together
     */
    public PoolIndex(String encoderIdentity, SpanMode mode, byte[] poolFingerprint, SegmentedVectors spans,
                     SegmentedVectors sentences) {
        if (spans.sentences() != sentences.sentences()) {
            throw new IllegalArgumentException("span and sentence vectors cover " + spans.sentences() + " and "
                    + sentences.sentences() + " sentences");
        }
        if (spans.table().dimension() != sentences.table().dimension()) {
            throw new IllegalArgumentException("span and sentence vectors have dimensions "
                    + spans.table().dimension() + " and " + sentences.table().dimension());
        }
        int[] ss = sentences.starts();
        for (int i = 0; i < sentences.sentences(); i++) {
            if (ss[i + 1] - ss[i] != 1) {
                throw new IllegalArgumentException("sentence " + i + " has " + (ss[i + 1] - ss[i])
                        + " sentence vectors, not 1");
            }
        }
        if (poolFingerprint.length != 32) {
            throw new IllegalArgumentException("a pool fingerprint has 32 bytes, got " + poolFingerprint.length);
        }
        this.encoderIdentity = encoderIdentity;
        this.dimension = spans.table().dimension();
        this.mode = mode;
        this.poolFingerprint = poolFingerprint.clone();
        this.spans = spans;
        this.sentences = sentences;
    }

    /**
     * Encodes a pool.
     *
     * @param pool the demonstrations, not empty
     * @param encoder the encoder
     * @param mode how span vectors are made
     * @return the index
     * @throws IllegalArgumentException if the pool is empty
     * @throws El4nerException if the encoder returns the wrong number of vectors, vectors of the wrong dimension
     *     or non-finite components
     */
    public static PoolIndex build(List<Demonstration> pool, SentenceEncoder encoder, SpanMode mode) {
        if (pool.isEmpty()) {
            throw new IllegalArgumentException("the demonstration pool is empty");
        }
        int d = encoder.dimension();
        if (d < 1) {
            throw new El4nerException("sentence encoder '" + encoder.identity() + "' reports dimension " + d);
        }
        long t0 = System.nanoTime();
        int n = pool.size();
        int[] spanStart = new int[n + 1];
        List<int[]> perSentence = new ArrayList<>(n);
        float[] spanRows;
        if (mode == SpanMode.TEXT) {
            Map<String, Integer> distinct = new LinkedHashMap<>();
            for (Demonstration demo : pool) {
                TreeSet<Integer> mine = new TreeSet<>();
                for (LabeledSpan s : demo.spans()) {
                    String surface = demo.surface(s).strip();
                    if (!surface.isEmpty()) {
                        mine.add(distinct.computeIfAbsent(surface, k -> distinct.size()));
                    }
                }
                perSentence.add(mine.stream().mapToInt(Integer::intValue).toArray());
            }
            // each span text alone: its vector is the one a query span of the same text gets
            spanRows = encodeAll(encoder, new ArrayList<>(distinct.keySet()), d, "span", true);
        } else {
            Map<VectorKey, Integer> distinct = new HashMap<>();
            FloatList rows = new FloatList();
            for (Demonstration demo : pool) {
                TreeSet<Integer> mine = new TreeSet<>();
                List<TextRange> ranges = demo.spans().stream().map(s -> new TextRange(s.start(), s.end())).toList();
                if (!ranges.isEmpty()) {
                    List<float[]> vs = encoder.encodeSpans(demo.text(), ranges);
                    checkVectors(encoder, vs, ranges.size(), d, "span");
                    for (float[] v : vs) {
                        VectorKey key = new VectorKey(VectorMath.normalize(v.clone()));
                        Integer id = distinct.get(key);
                        if (id == null) {
                            id = distinct.size();
                            distinct.put(key, id);
                            rows.addAll(key.v);
                        }
                        mine.add(id);
                    }
                }
                perSentence.add(mine.stream().mapToInt(Integer::intValue).toArray());
            }
            spanRows = rows.toArray();
        }
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += perSentence.get(i).length;
            spanStart[i + 1] = total;
        }
        int[] spanIds = new int[total];
        for (int i = 0; i < n; i++) {
            System.arraycopy(perSentence.get(i), 0, spanIds, spanStart[i], perSentence.get(i).length);
        }

        Map<String, Integer> texts = new LinkedHashMap<>();
        int[] sentenceIds = new int[n];
        int[] sentenceStart = new int[n + 1];
        for (int i = 0; i < n; i++) {
            String text = pool.get(i).text();
            sentenceIds[i] = texts.computeIfAbsent(text, k -> texts.size());
            sentenceStart[i + 1] = i + 1;
        }
        float[] sentenceRows = encodeAll(encoder, new ArrayList<>(texts.keySet()), d, "sentence", false);

        SegmentedVectors spanSet = SegmentedVectors.of(VectorTable.ofRows(spanRows, d), spanStart, spanIds, null);
        SegmentedVectors sentenceSet = SegmentedVectors.of(VectorTable.ofRows(sentenceRows, d), sentenceStart,
                sentenceIds, null);
        log.info("span index: {} sentences, {} spans ({} distinct vectors), {} distinct sentences, dimension {}, "
                        + "encoded in {} ms", n, total, spanSet.table().size(), sentenceSet.table().size(), d,
                (System.nanoTime() - t0) / 1_000_000);
        return new PoolIndex(encoder.identity(), mode, fingerprint(pool), spanSet, sentenceSet);
    }

    private static float[] encodeAll(SentenceEncoder encoder, List<String> texts, int d, String what,
                                     boolean each) {
        float[] rows = new float[Math.multiplyExact(texts.size(), d)];
        for (int from = 0; from < texts.size(); from += BATCH) {
            List<String> batch = texts.subList(from, Math.min(texts.size(), from + BATCH));
            List<float[]> vs = each ? encoder.encodeEach(batch) : encoder.encode(batch);
            checkVectors(encoder, vs, batch.size(), d, what);
            for (int i = 0; i < vs.size(); i++) {
                System.arraycopy(VectorMath.normalize(vs.get(i).clone()), 0, rows, (from + i) * d, d);
            }
            if (texts.size() > BATCH) {
                log.debug("encoded {} of {} {} texts", from + batch.size(), texts.size(), what);
            }
        }
        return rows;
    }

    /**
     * @param encoder the encoder, for messages
     * @param vs what it returned
     * @param expected how many vectors were asked for
     * @param d the dimension
     * @param what what was encoded, for messages
     * @throws El4nerException if the count, a dimension or a component is wrong
     */
    static void checkVectors(SentenceEncoder encoder, List<float[]> vs, int expected, int d, String what) {
        if (vs.size() != expected) {
            throw new El4nerException("sentence encoder '" + encoder.identity() + "' returned " + vs.size()
                    + " vectors for " + expected + " " + what + " texts");
        }
        for (float[] v : vs) {
            if (v.length != d) {
                throw new El4nerException("sentence encoder '" + encoder.identity() + "' returned a " + what
                        + " vector of dimension " + v.length + "; it reports dimension " + d);
            }
            for (float x : v) {
                if (!Float.isFinite(x)) {
                    throw new El4nerException("sentence encoder '" + encoder.identity() + "' returned a " + what
                            + " vector with a non-finite component");
                }
            }
        }
    }

    /**
     * A SHA-256 over the pool's texts and span offsets (not the types, which do not change the vectors), in
     * order.
     *
     * @param pool the pool
     * @return 32 bytes
     */
    public static byte[] fingerprint(List<Demonstration> pool) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        ByteBuffer b = ByteBuffer.allocate(8);
        sha.update(b.putInt(0, pool.size()).array(), 0, 4);
        for (Demonstration d : pool) {
            byte[] text = d.text().getBytes(StandardCharsets.UTF_8);
            sha.update(b.putInt(0, text.length).array(), 0, 4);
            sha.update(text);
            sha.update(b.putInt(0, d.spans().size()).array(), 0, 4);
            for (LabeledSpan s : d.spans()) {
                sha.update(b.putInt(0, s.start()).putInt(4, s.end()).array(), 0, 8);
            }
        }
        return sha.digest();
    }

    /**
     * @param parallel where to run the clustering
     * @return this index with an approximate index over the span and the sentence vectors (built where missing;
     *     none over an empty set of span vectors)
     */
    public PoolIndex withApproximateIndex(Parallel parallel) {
        SegmentedVectors sp = spans.ivf() != null || spans.table().size() == 0 ? spans
                : spans.withIvf(IvfIndex.defaultLists(spans.table().size()), 42, parallel);
        SegmentedVectors se = sentences.ivf() != null ? sentences
                : sentences.withIvf(IvfIndex.defaultLists(sentences.table().size()), 43, parallel);
        return new PoolIndex(encoderIdentity, mode, poolFingerprint, sp, se);
    }

    /** @return the encoder identity the vectors were made with */
    public String encoderIdentity() {
        return encoderIdentity;
    }

    /** @return the vector dimension */
    public int dimension() {
        return dimension;
    }

    /** @return how span vectors were made */
    public SpanMode mode() {
        return mode;
    }

    /** @return the pool fingerprint (a copy) */
    public byte[] poolFingerprint() {
        return poolFingerprint.clone();
    }

    /** @return how many pool sentences */
    public int poolSize() {
        return spans.sentences();
    }

    /** @return the span vectors, one segment per pool sentence */
    public SegmentedVectors spans() {
        return spans;
    }

    /** @return the sentence vectors, one per pool sentence */
    public SegmentedVectors sentences() {
        return sentences;
    }

    /** Content equality for float vectors (build time only). */
    private static final class VectorKey {
        private final float[] v;
        private final int hash;

        VectorKey(float[] v) {
            this.v = v;
            this.hash = Arrays.hashCode(v);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof VectorKey k && Arrays.equals(v, k.v);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A growable float array. */
    private static final class FloatList {
        private float[] a = new float[1024];
        private int n;

        void addAll(float[] v) {
            if (n + v.length > a.length) {
                a = Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
            }
            System.arraycopy(v, 0, a, n, v.length);
            n += v.length;
        }

        float[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
