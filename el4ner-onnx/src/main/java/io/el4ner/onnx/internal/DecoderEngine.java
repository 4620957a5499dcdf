package io.el4ner.onnx.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Runs a decoder export step by step with a KV cache: single-row prefill in chunks (from a cached prefix when there
 * is one), then batched decoding of left-padded rows, one new token per row and step. Also the reference it is
 * tested against: the last position's logits of a whole left-padded batch computed from scratch, without a cache.
 *
 * <p><b>Layout.</b> A row's cache is {@code [kv_heads, length, head_dim]} per layer and keys or values, with no
 * padding. In a batch, rows are left-padded to the longest: row {@code r} holds its {@code realLength[r]} tokens at
 * the end of the past, the positions before them are masked out (and zero). Position ids count a row's real tokens
 * only, so a token gets the same position in a batch as alone. A model without a {@code position_ids} input numbers
 * the tokens from the padded past instead, so its batches may only hold rows of one length.
 *
 * <p><b>Prefill.</b> A prompt is computed in chunks that end at its <em>boundaries</em>: the multiples of
 * {@link #chunk()} tokens counted from the prompt's start, and the positions right after a break token (the end
 * tokens, which close each message of a rendered chat, so that a system message is a whole number of chunks). A
 * cached prefix is only ever used up to a boundary. Boundaries depend only on the tokens before them, so the cache of
 * a prompt is computed by the same runs on the same inputs whether a prefix came from the cache or not, and a prompt's
 * answer does not depend on what was decoded before it. Chunks also bound the logits ONNX Runtime writes per run
 * ({@code chunk × vocab}), which for a 150k vocabulary would otherwise be hundreds of megabytes for a long prompt.
 *
 * <p><b>Copies.</b> Between decode steps the {@code present.*} outputs are fed back as the next {@code past_key_values.*}
 * without a copy; the cache is copied only when rows join or leave a batch. Logits are written by ONNX Runtime into a
 * buffer this engine owns (a pinned output), so only the positions read are copied. The inputs of a run, and the
 * cache tensors built from rows, live in direct buffers the engine keeps and reuses: a fresh direct buffer costs a
 * page fault per 4 KB page on first touch (tens of microseconds each in some virtual machines), and Java frees it only
 * after a garbage collection.
 *
 * <p>Not thread-safe: one thread uses an engine and its batches; the session may be shared.
 */
public final class DecoderEngine {
    /** The default prefill chunk, in tokens. */
    public static final int DEFAULT_CHUNK = 64;

    private final OrtEnvironment env = OrtSessions.environment();
    private final OrtSession session;
    private final DecoderSignature sig;
    private final int chunk;
    private final Set<Long> breakAfter;
    private final Set<String> presents;
    private final String[] pastNames;
    private final String[] presentNames;
    private final EngineBuffers buffers;
    private final KvTensors kv;

    /**
     * @param session the decoder's session
     * @param signature its checked signature
     * @param chunk the prefill chunk in tokens, at least 1
     * @param breakAfter tokens after which a chunk ends too: the end tokens
     */
    public DecoderEngine(OrtSession session, DecoderSignature signature, int chunk, Set<Long> breakAfter) {
        this.session = Objects.requireNonNull(session, "session");
        this.sig = Objects.requireNonNull(signature, "signature");
        if (chunk < 1) {
            throw new IllegalArgumentException("chunk must be at least 1, got " + chunk);
        }
        this.chunk = chunk;
        this.breakAfter = Set.copyOf(breakAfter);
        pastNames = new String[2 * sig.layers()];
        presentNames = new String[2 * sig.layers()];
        for (int i = 0; i < sig.layers(); i++) {
            pastNames[2 * i] = DecoderSignature.pastKey(i);
            pastNames[2 * i + 1] = DecoderSignature.pastValue(i);
            presentNames[2 * i] = DecoderSignature.presentKey(i);
            presentNames[2 * i + 1] = DecoderSignature.presentValue(i);
        }
        presents = Set.of(presentNames);
        buffers = new EngineBuffers(env, sig);
        kv = new KvTensors(env, sig, pastNames, presentNames, buffers);
    }

    /** @return the signature */
    public DecoderSignature signature() {
        return sig;
    }

    /** @return the prefill chunk in tokens */
    public int chunk() {
        return chunk;
    }

    /**
     * @param tokens a prompt
     * @param position a position in it, {@code 0..tokens.length}
     * @return whether a chunk may end there: the start, a multiple of the chunk, or right after a break token
     */
    public boolean isBoundary(long[] tokens, int position) {
        return position % chunk == 0 || breakAfter.contains(tokens[position - 1]);
    }

    /**
     * @param tokens a prompt
     * @param limit a position, {@code 0..tokens.length}
     * @return the last boundary at or before {@code limit}
     */
    public int lastBoundary(long[] tokens, int limit) {
        int floor = limit / chunk * chunk;
        for (int p = limit; p > floor; p--) {
            if (breakAfter.contains(tokens[p - 1])) {
                return p;
            }
        }
        return floor;
    }

    /** The first boundary after {@code from}, or {@code tokens.length}. */
    private int nextBoundary(long[] tokens, int from) {
        int ceiling = Math.min(tokens.length, (from / chunk + 1) * chunk);
        for (int p = from + 1; p < ceiling; p++) {
            if (breakAfter.contains(tokens[p - 1])) {
                return p;
            }
        }
        return ceiling;
    }

    /**
     * The KV cache of one row, with no padding: per layer, keys then values, each {@code [kv_heads, length,
     * head_dim]} in the model's KV type, native byte order. Immutable once made.
     */
    public static final class RowKv {
        final byte[][] tensors;
        private final int length;

        RowKv(byte[][] tensors, int length) {
            this.tensors = tensors;
            this.length = length;
        }

        /** @return the number of tokens cached */
        public int length() {
            return length;
        }

        /** @return the bytes held */
        public long bytes() {
            long n = 0;
            for (byte[] t : tensors) {
                n += t.length;
            }
            return n;
        }

        /**
         * @param tokens how many tokens to keep, at most {@link #length()}
         * @param heads the KV heads
         * @param headBytes the bytes of one head of one token
         * @return the cache of the first {@code tokens} tokens (this one when it is all)
         */
        RowKv prefix(int tokens, int heads, int headBytes) {
            if (tokens == length) {
                return this;
            }
            if (tokens < 0 || tokens > length) {
                throw new IllegalArgumentException("prefix of " + tokens + " tokens of a row of " + length);
            }
            byte[][] out = new byte[tensors.length][];
            for (int i = 0; i < tensors.length; i++) {
                out[i] = new byte[heads * tokens * headBytes];
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(tensors[i], h * length * headBytes, out[i], h * tokens * headBytes,
                            tokens * headBytes);
                }
            }
            return new RowKv(out, tokens);
        }
    }

    /**
     * A prefilled row: its cache and the logits of its last position.
     *
     * @param kv the row's cache, all of the prompt
     * @param logits the logits after the prompt, a new array
     */
    public record Prefilled(RowKv kv, float[] logits) {
    }

    /**
     * Computes a prompt's cache and its last logits, one row, in chunks.
     *
     * @param tokens the prompt, at least one token
     * @param prefix a cache of the prompt's first tokens, whose length is a boundary of the prompt
     *     ({@link #isBoundary}) and less than the prompt's, or null
     * @param cancelled asked between chunks; when it says true, the prefill stops and null is returned
     * @return the cache and logits, or null if cancelled
     * @throws OrtException if ONNX Runtime fails
     * @throws DecoderOutputException if the model's outputs have unexpected shapes
     */
    public Prefilled prefill(long[] tokens, RowKv prefix, BooleanSupplier cancelled) throws OrtException {
        int total = tokens.length;
        int done = prefix == null ? 0 : prefix.length();
        if (total == 0 || done >= total || !isBoundary(tokens, done)) {
            throw new IllegalArgumentException("prefill of " + total + " tokens from a prefix of " + done
                    + " (chunk " + chunk + ")");
        }
        List<AutoCloseable> owner = new ArrayList<>();
        try {
            OnnxTensor[] past = prefix == null ? kv.emptyPast(1, owner)
                    : tensors(List.of(prefix), new int[0], null, done, owner);
            int c = 0;
            while (done < total) {
                c = nextBoundary(tokens, done) - done;
                long[] mask = new long[done + c];
                Arrays.fill(mask, 1L);
                long[] pos = new long[c];
                for (int t = 0; t < c; t++) {
                    pos[t] = done + t;
                }
                OrtSession.Result result = run(past, Arrays.copyOfRange(tokens, done, done + c), mask, pos, 1, c);
                KvTensors.closeAll(owner);
                owner.add(result);
                past = kv.presentsOf(result, 1, done + c);
                done += c;
                if (done < total && cancelled.getAsBoolean()) {
                    return null;
                }
            }
            float[] logits = new float[sig.vocab()];
            buffers.readLogits(c - 1, logits);
            return new Prefilled(kv.rowKv(past, 0, 1, total, total), logits);
        } finally {
            KvTensors.closeAll(owner);
        }
    }

    /** @return a new, empty batch */
    public Batch newBatch() {
        return new Batch();
    }

    /**
     * Rows decoded together, left-padded to the longest. Rows join with {@link #add} and leave with
     * {@link #retain}; {@link #step} feeds one token per row.
     */
    public final class Batch implements AutoCloseable {
        private OnnxTensor[] past;
        private final List<AutoCloseable> owner = new ArrayList<>(pastNames.length);
        private int rows;
        private int pastLength;
        private int[] realLength = new int[0];
        private float[][] logits = new float[0][];

        private Batch() {
        }

        /** @return the number of rows */
        public int rows() {
            return rows;
        }

        /** @return the padded length of the past, in tokens */
        public int pastLength() {
            return pastLength;
        }

        /**
         * @param row a row
         * @return the real (unpadded) tokens of its past
         */
        public int realLength(int row) {
            return realLength[row];
        }

        /** @return the bytes of KV cache the batch holds, padding included */
        public long bytes() {
            return (long) rows * pastLength * sig.bytesPerToken();
        }

        /**
         * Appends rows after the existing ones. Copies the whole cache once. When it fails, the batch is unchanged.
         *
         * @param added the new rows' caches
         * @throws OrtException if ONNX Runtime cannot create the new cache's tensors
         */
        public void add(List<RowKv> added) throws OrtException {
            if (added.isEmpty()) {
                return;
            }
            int[] keep = new int[rows];
            Arrays.setAll(keep, i -> i);
            rebuild(keep, added);
        }

        /**
         * Keeps the rows marked, in order, and drops the padding no remaining row needs. Copies the whole cache
         * once when a row leaves.
         *
         * @param keep per row, whether it stays
         * @throws OrtException if ONNX Runtime cannot create the new cache's tensors
         */
        public void retain(boolean[] keep) throws OrtException {
            int n = 0;
            for (int r = 0; r < rows; r++) {
                if (keep[r]) {
                    n++;
                }
            }
            if (n == rows) {
                return;
            }
            int[] kept = new int[n];
            for (int r = 0, i = 0; r < rows; r++) {
                if (keep[r]) {
                    kept[i++] = r;
                }
            }
            rebuild(kept, List.of());
        }

        private void rebuild(int[] kept, List<RowKv> added) throws OrtException {
            int newRows = kept.length + added.size();
            int[] lengths = new int[newRows];
            int longest = 0;
            for (int i = 0; i < newRows; i++) {
                lengths[i] = i < kept.length ? realLength[kept[i]] : added.get(i - kept.length).length();
                longest = Math.max(longest, lengths[i]);
            }
            if (!sig.positionIds() && Arrays.stream(lengths).anyMatch(n -> n != lengths[0])) {
                // the model would number a padded row's tokens from the padding: wrong positions
                throw new IllegalStateException("a model without position_ids cannot decode rows of different "
                        + "lengths together, got " + Arrays.toString(lengths));
            }
            float[][] l = new float[newRows][];
            for (int i = 0; i < newRows; i++) {
                l[i] = i < kept.length && kept[i] < logits.length ? logits[kept[i]] : new float[sig.vocab()];
            }
            List<AutoCloseable> fresh = new ArrayList<>(pastNames.length);
            OnnxTensor[] next = newRows == 0 ? null : tensors(added, kept, this, longest, fresh);
            // Nothing below fails: when the above does, the batch is unchanged.
            KvTensors.closeAll(owner);
            owner.addAll(fresh);
            past = next;
            rows = newRows;
            pastLength = longest;
            realLength = lengths;
            logits = l;
        }

        /**
         * Runs one decode step: each row's next token in, each row's logits for the token after out.
         *
         * @param tokens one token per row
         * @return per row the logits, arrays owned by the batch and overwritten by the next step
         * @throws OrtException if ONNX Runtime fails
         * @throws DecoderOutputException if the model's outputs have unexpected shapes
         */
        public float[][] step(long[] tokens) throws OrtException {
            if (tokens.length != rows || rows == 0) {
                throw new IllegalArgumentException(tokens.length + " tokens for " + rows + " rows");
            }
            int total = pastLength + 1;
            long[] mask = new long[rows * total];
            long[] pos = new long[rows];
            for (int r = 0; r < rows; r++) {
                Arrays.fill(mask, r * total + pastLength - realLength[r], (r + 1) * total, 1L);
                pos[r] = realLength[r];
            }
            OrtSession.Result result = run(past, tokens, mask, pos, rows, 1);
            OnnxTensor[] next;
            try {
                next = kv.presentsOf(result, rows, total);
            } catch (Throwable t) {
                result.close();
                throw t;
            }
            KvTensors.closeAll(owner);
            owner.add(result);
            past = next;
            pastLength = total;
            for (int r = 0; r < rows; r++) {
                realLength[r]++;
                buffers.readLogits(r, logits[r]);
            }
            return logits;
        }

        /** Copies a row's cache out, without its padding. */
        RowKv row(int r) {
            return kv.rowKv(past, r, rows, pastLength, realLength[r]);
        }

        @Override
        public void close() {
            KvTensors.closeAll(owner);
            past = null;
            rows = 0;
            pastLength = 0;
        }
    }

    /**
     * The reference: the logits of the last position of each left-padded sequence, computed from scratch without a
     * cache (every token of every row in one run).
     *
     * @param sequences the rows, each at least one token
     * @return per row the last position's logits
     * @throws OrtException if ONNX Runtime fails
     */
    public float[][] fullLogits(long[][] sequences) throws OrtException {
        int rows = sequences.length;
        int longest = 0;
        for (long[] s : sequences) {
            longest = Math.max(longest, s.length);
        }
        long[] ids = new long[rows * longest];
        long[] mask = new long[rows * longest];
        long[] pos = new long[rows * longest];
        for (int r = 0; r < rows; r++) {
            int pad = longest - sequences[r].length;
            System.arraycopy(sequences[r], 0, ids, r * longest + pad, sequences[r].length);
            for (int t = 0; t < sequences[r].length; t++) {
                mask[r * longest + pad + t] = 1;
                pos[r * longest + pad + t] = t;
            }
        }
        List<AutoCloseable> owner = new ArrayList<>();
        try {
            OrtSession.Result result = run(kv.emptyPast(rows, owner), ids, mask, pos, rows, longest);
            owner.add(result);
            float[][] out = new float[rows][sig.vocab()];
            for (int r = 0; r < rows; r++) {
                buffers.readLogits(r * longest + longest - 1, out[r]);
            }
            return out;
        } finally {
            KvTensors.closeAll(owner);
        }
    }

    /** Runs the model with the logits written into the pinned buffer; the caller owns the result. */
    private OrtSession.Result run(OnnxTensor[] past, long[] ids, long[] mask, long[] pos, int rows, int seq)
            throws OrtException {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        List<OnnxTensor> created = new ArrayList<>();
        try {
            long[] shape = {rows, seq};
            created.add(put(inputs, DecoderSignature.INPUT_IDS,
                    OnnxTensor.createTensor(env, buffers.longs(0, ids), shape)));
            created.add(put(inputs, DecoderSignature.ATTENTION_MASK,
                    OnnxTensor.createTensor(env, buffers.longs(1, mask), new long[] {rows, mask.length / rows})));
            if (sig.positionIds()) {
                created.add(put(inputs, DecoderSignature.POSITION_IDS,
                        OnnxTensor.createTensor(env, buffers.longs(2, pos), shape)));
            }
            for (int i = 0; i < pastNames.length; i++) {
                inputs.put(pastNames[i], past[i]);
            }
            OnnxTensor logits = buffers.pinnedLogits(rows, seq);
            created.add(logits);
            return session.run(inputs, presents, Map.of(DecoderSignature.LOGITS, logits));
        } finally {
            created.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor put(Map<String, OnnxTensor> inputs, String name, OnnxTensor t) {
        inputs.put(name, t);
        return t;
    }

    /**
     * Builds past tensors {@code [rows, heads, length, dim]}: first the {@code kept} rows of {@code from} (at their
     * real lengths), then the {@code added} rows, each right-aligned, with zeros before. Package-private for tests.
     *
     * @param owner a new list, which gets the tensors; when this fails, whatever it made is closed
     * @throws OrtException if ONNX Runtime cannot create a tensor (out of memory, say), its message saying so
     */
    OnnxTensor[] tensors(List<RowKv> added, int[] kept, Batch from, int length, List<AutoCloseable> owner)
            throws OrtException {
        return kv.tensors(added, kept, from == null ? null : from.past, from == null ? 0 : from.pastLength,
                from == null ? null : from.realLength, length, owner);
    }
}
