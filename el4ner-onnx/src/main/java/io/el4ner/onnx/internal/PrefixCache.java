package io.el4ner.onnx.internal;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The KV caches of recent prompts, so that a later prompt that starts with the same tokens (the system prompt, the
 * types, the demonstrations a sentence's stages share) computes only what follows. Bounded by a number of bytes and
 * of entries; the least recently used prompt goes first.
 *
 * <p>Prefixes are stored and reused only up to the engine's chunk boundaries (see {@link DecoderEngine}), so that
 * reuse never changes a result. A prompt is stored once: one that extends a stored prompt replaces it.
 *
 * <p>Thread-safe.
 */
public final class PrefixCache {
    private final long budgetBytes;
    private final int maxEntries;
    private final DecoderEngine engine;
    private final int heads;
    private final int headBytes;
    private final long bytesPerToken;
    private final LinkedHashMap<Integer, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private int nextKey;
    private long bytes;

    private record Entry(long[] tokens, DecoderEngine.RowKv kv) {
    }

    /**
     * A reusable prefix.
     *
     * @param kv the prefix's cache
     * @param length its tokens, a multiple of the chunk
     */
    public record Hit(DecoderEngine.RowKv kv, int length) {
    }

    /**
     * @param budgetBytes the most bytes of cache held; 0 stores nothing
     * @param maxEntries the most prompts held
     * @param engine the engine whose boundaries the cache follows
     */
    public PrefixCache(long budgetBytes, int maxEntries, DecoderEngine engine) {
        if (budgetBytes < 0 || maxEntries < 0) {
            throw new IllegalArgumentException("the prefix cache budget must not be negative");
        }
        this.budgetBytes = budgetBytes;
        this.maxEntries = maxEntries;
        this.engine = engine;
        DecoderSignature signature = engine.signature();
        this.heads = signature.kvHeads();
        this.headBytes = signature.headDim() * signature.kvElementBytes();
        this.bytesPerToken = signature.bytesPerToken();
    }

    /**
     * Finds the longest stored prefix of a prompt that can be reused: it ends at a boundary of the prompt, and
     * before its end, since the prompt's last token must still be computed for its logits.
     *
     * @param prompt the prompt's tokens
     * @return the prefix, or null when none is stored
     */
    public synchronized Hit lookup(long[] prompt) {
        int limit = prompt.length - 1;
        Entry best = null;
        int bestLength = 0;
        Integer bestKey = null;
        for (Map.Entry<Integer, Entry> e : entries.entrySet()) {
            long[] t = e.getValue().tokens();
            int n = Math.min(t.length, limit);
            int common = Arrays.mismatch(t, 0, n, prompt, 0, n);
            int usable = engine.lastBoundary(prompt, common < 0 ? n : common);
            if (usable > bestLength) {
                bestLength = usable;
                best = e.getValue();
                bestKey = e.getKey();
            }
        }
        if (best == null) {
            return null;
        }
        entries.get(bestKey); // marks it used
        return new Hit(best.kv().prefix(bestLength, heads, headBytes), bestLength);
    }

    /**
     * Stores the cache of a prompt, cut at its last boundary, or at the last boundary that fits the whole budget
     * when the prompt is longer: the prompts that share its start can still reuse that much. Older entries go,
     * least recently used first, to make room; an entry the new one extends is replaced by it.
     *
     * @param prompt the prompt's tokens
     * @param kv the cache of all of them
     */
    public synchronized void offer(long[] prompt, DecoderEngine.RowKv kv) {
        if (budgetBytes == 0 || maxEntries == 0) {
            return;
        }
        int length = engine.lastBoundary(prompt, (int) Math.min(Math.min(prompt.length, kv.length()),
                budgetBytes / bytesPerToken));
        if (length == 0) {
            return;
        }
        long[] tokens = Arrays.copyOf(prompt, length);
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            long[] t = it.next().tokens();
            int n = Math.min(t.length, length);
            if (Arrays.equals(t, 0, n, tokens, 0, n)) {
                if (t.length >= length) {
                    return; // already held, as much or more
                }
                bytes -= sizeOf(t.length);
                it.remove(); // the new prompt extends it
            }
        }
        long size = sizeOf(length); // within the budget
        entries.put(nextKey++, new Entry(tokens, kv.prefix(length, heads, headBytes)));
        bytes += size;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext() && (bytes > budgetBytes
                || entries.size() > maxEntries); ) {
            bytes -= sizeOf(it.next().tokens().length);
            it.remove();
        }
    }

    private long sizeOf(int tokens) {
        return tokens * bytesPerToken;
    }

    /** @return the bytes held */
    public synchronized long bytes() {
        return bytes;
    }

    /** @return the prompts held */
    public synchronized int size() {
        return entries.size();
    }

    /** Drops everything. */
    public synchronized void clear() {
        entries.clear();
        bytes = 0;
    }
}
