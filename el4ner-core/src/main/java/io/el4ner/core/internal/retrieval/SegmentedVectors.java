package io.el4ner.core.internal.retrieval;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Pool sentences as sets of vectors: sentence {@code i} owns the vector ids
 * {@code ids[start[i] .. start[i + 1])} of a {@link VectorTable} (a vector may belong to many sentences: the
 * table holds each distinct vector once), plus an optional {@link IvfIndex} over the table. The span vectors of
 * a pool and its whole-sentence vectors (one per sentence) are both kept this way. Immutable and thread-safe.
 */
public final class SegmentedVectors {
    private final VectorTable table;
    private final int[] start;
    private final int[] ids;
    private final IvfIndex ivf;
    private volatile int[][] inverse;
    private volatile int[] slots;
    private final Scratch<float[]> scratch = new Scratch<>();
    private final Scratch<float[]> sentenceScratch = new Scratch<>();
    private final Scratch<int[]> intScratch = new Scratch<>();
    private final Scratch<SentenceMaxima> maximaScratch = new Scratch<>();

    private SegmentedVectors(VectorTable table, int[] start, int[] ids, IvfIndex ivf) {
        this.table = table;
        this.start = start;
        this.ids = ids;
        this.ivf = ivf;
    }

    /**
     * @param table the vectors
     * @param start {@code sentences + 1} non-decreasing offsets into {@code ids}, from 0 to {@code ids.length}
     * @param ids vector ids, each in {@code [0, table.size())}
     * @param ivf an approximate index over {@code table}, or null
     * @return the pool
     * @throws IllegalArgumentException if the arrays do not fit together
     */
    public static SegmentedVectors of(VectorTable table, int[] start, int[] ids, IvfIndex ivf) {
        if (start.length < 1 || start[0] != 0 || start[start.length - 1] != ids.length) {
            throw new IllegalArgumentException("segment offsets must run from 0 to " + ids.length);
        }
        for (int i = 1; i < start.length; i++) {
            if (start[i] < start[i - 1]) {
                throw new IllegalArgumentException("segment offsets decrease at sentence " + i);
            }
        }
        for (int id : ids) {
            if (id < 0 || id >= table.size()) {
                throw new IllegalArgumentException("vector id " + id + " is outside [0, " + table.size() + ")");
            }
        }
        if (ivf != null && ivf.size() != table.size()) {
            throw new IllegalArgumentException("the IVF index covers " + ivf.size() + " vectors, the table "
                    + table.size());
        }
        return new SegmentedVectors(table, start, ids, ivf);
    }

    /** @return the vectors */
    public VectorTable table() {
        return table;
    }

    /** @return how many sentences */
    public int sentences() {
        return start.length - 1;
    }

    /** @return the segment offsets, {@code sentences() + 1} of them (do not modify) */
    public int[] starts() {
        return start;
    }

    /** @return the vector ids of all sentences, concatenated (do not modify) */
    public int[] ids() {
        return ids;
    }

    /** @return the approximate index, or null */
    public IvfIndex ivf() {
        return ivf;
    }

    /**
     * Builds an approximate index and reorders the table list by list (the sentences keep their vectors).
     *
     * @param lists lists of the index
     * @param seed the k-means seed
     * @param parallel where to run
     * @return the reordered pool with its index
     */
    public SegmentedVectors withIvf(int lists, long seed, Parallel parallel) {
        return withIvf(IvfIndex.build(table, lists, seed, parallel));
    }

    /**
     * @param built an approximate index built over this pool's table
     * @return the reordered pool with that index
     */
    public SegmentedVectors withIvf(IvfIndex.Built built) {
        int[] order = built.order();
        int[] newId = new int[order.length];
        for (int p = 0; p < order.length; p++) {
            newId[order[p]] = p;
        }
        int[] mapped = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            mapped[i] = newId[ids[i]];
        }
        return new SegmentedVectors(table.permute(order), start, mapped, built.index());
    }

    /**
     * @return the sentences of each vector, as {@code {offsets, sentences}}: the sentences of vector {@code v}
     *     are {@code sentences[offsets[v] .. offsets[v + 1])}, ascending; built on first use
     */
    int[][] inverse() {
        int[][] inv = inverse;
        if (inv == null) {
            synchronized (this) {
                inv = inverse;
                if (inv == null) {
                    int n = table.size();
                    int[] off = new int[n + 1];
                    for (int id : ids) {
                        off[id + 1]++;
                    }
                    for (int v = 0; v < n; v++) {
                        off[v + 1] += off[v];
                    }
                    int[] fill = Arrays.copyOf(off, n);
                    int[] sent = new int[ids.length];
                    for (int i = 0; i + 1 < start.length; i++) {
                        for (int x = start[i]; x < start[i + 1]; x++) {
                            sent[fill[ids[x]]++] = i;
                        }
                    }
                    inv = new int[][] {off, sent};
                    inverse = inv;
                }
            }
        }
        return inv;
    }

    /**
     * The first {@value #SLOTS} vector ids of every sentence, padded by repeating the last one (a max is
     * unchanged by repeats), or all {@code table().size()} for a sentence without vectors: a fixed-stride layout
     * whose segmented max has no data-dependent branches. Sentences with more vectors continue in
     * {@link #ids()} from {@code starts()[i] + SLOTS}. Built on first use.
     *
     * @return {@code SLOTS * sentences()} ids
     */
    int[] slots() {
        int[] sl = slots;
        if (sl == null) {
            synchronized (this) {
                sl = slots;
                if (sl == null) {
                    int n = sentences();
                    sl = new int[SLOTS * n];
                    for (int i = 0; i < n; i++) {
                        int a = start[i];
                        int len = start[i + 1] - a;
                        for (int x = 0; x < SLOTS; x++) {
                            sl[SLOTS * i + x] = len == 0 ? table.size() : ids[a + Math.min(x, len - 1)];
                        }
                    }
                    slots = sl;
                }
            }
        }
        return sl;
    }

    /** Vector ids per sentence in {@link #slots()}. */
    static final int SLOTS = 4;

    /** @return an array of {@code table().size() + 1} with arbitrary contents, to give back with {@link #release} */
    float[] borrow() {
        return scratch.take(() -> new float[table.size() + 1]);
    }

    /** @param a an array from {@link #borrow} */
    void release(float[] a) {
        scratch.give(a);
    }

    /**
     * @return an array of {@code sentences()} with arbitrary contents, to give back with
     *     {@link #releaseSentenceArray}
     */
    float[] borrowSentenceArray() {
        return sentenceScratch.take(() -> new float[sentences()]);
    }

    /** @param a an array from {@link #borrowSentenceArray} */
    void releaseSentenceArray(float[] a) {
        sentenceScratch.give(a);
    }

    /** @return an array of {@code table().size()} with arbitrary contents, to give back with {@link #releaseInts} */
    int[] borrowInts() {
        return intScratch.take(() -> new int[table.size()]);
    }

    /** @param a an array from {@link #borrowInts} */
    void releaseInts(int[] a) {
        intScratch.give(a);
    }

    /** @return a sentence-maxima table of the approximate search, to reset before use and give back */
    SentenceMaxima borrowMaxima() {
        return maximaScratch.take(SentenceMaxima::new);
    }

    /** @param m a table from {@link #borrowMaxima} */
    void releaseMaxima(SentenceMaxima m) {
        maximaScratch.give(m);
    }

    /**
     * Per-query buffers kept for reuse across queries and threads (a query allocates almost nothing; on a fresh
     * heap every new young-generation page would be a page fault), at most {@value #KEPT} of a kind.
     */
    private static final class Scratch<T> {
        private static final int KEPT = 16;
        private final ConcurrentLinkedQueue<T> kept = new ConcurrentLinkedQueue<>();

        T take(Supplier<T> make) {
            T t = kept.poll();
            return t != null ? t : make.get();
        }

        void give(T t) {
            if (kept.size() < KEPT) {
                kept.offer(t);
            }
        }
    }
}
