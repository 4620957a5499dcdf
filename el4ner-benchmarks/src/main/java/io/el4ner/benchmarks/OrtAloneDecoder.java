package io.el4ner.benchmarks;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@code ort-alone} contender of the decoder benchmarks: no decoder member, but the least a Java program must do
 * to decode greedily with ONNX Runtime on a session of an optimum-style decoder export (float32 KV cache), with no
 * el4ner code. Prompts come tokenized. The whole left-padded batch is prefilled in one run; each decode step writes
 * its three small int64 inputs into direct buffers made once, feeds the previous step's {@code present.*} outputs as
 * {@code past_key_values.*} (no copy), writes the logits into one buffer created before the loop (a pinned output)
 * and picks each row's argmax. No checks, no stop tokens, no rows joining or leaving: the bound for a decoding loop on this session.
 */
final class OrtAloneDecoder {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int layers;
    private final long kvHeads;
    private final long headDim;
    private final int vocab;
    private final String[] past;
    private final Set<String> presents = new LinkedHashSet<>();
    private final String[] presentNames;
    private final boolean positionIds;
    private final LongBuffer[] inputs = new LongBuffer[3]; // input ids, attention mask, position ids

    OrtAloneDecoder(OrtSession session) throws OrtException {
        this.session = session;
        Map<String, NodeInfo> inputs = session.getInputInfo();
        int n = 0;
        while (inputs.containsKey("past_key_values." + n + ".key")) {
            n++;
        }
        layers = n;
        long[] kvShape = ((TensorInfo) inputs.get("past_key_values.0.key").getInfo()).getShape();
        kvHeads = kvShape[1];
        headDim = kvShape[3];
        vocab = (int) ((TensorInfo) session.getOutputInfo().get("logits").getInfo()).getShape()[2];
        positionIds = inputs.containsKey("position_ids");
        past = new String[2 * layers];
        presentNames = new String[2 * layers];
        for (int i = 0; i < layers; i++) {
            past[2 * i] = "past_key_values." + i + ".key";
            past[2 * i + 1] = "past_key_values." + i + ".value";
            presentNames[2 * i] = "present." + i + ".key";
            presentNames[2 * i + 1] = "present." + i + ".value";
        }
        presents.addAll(java.util.List.of(presentNames));
    }

    /** A prefilled batch: the prefill's result (it holds the KV cache), each row's real length and first token. */
    static final class Prefilled implements AutoCloseable {
        final OrtSession.Result result;
        final int rows;
        final int paddedLength;
        final int[] lengths;
        final long[] next;

        Prefilled(OrtSession.Result result, int rows, int paddedLength, int[] lengths, long[] next) {
            this.result = result;
            this.rows = rows;
            this.paddedLength = paddedLength;
            this.lengths = lengths;
            this.next = next;
        }

        @Override
        public void close() {
            result.close();
        }
    }

    /**
     * Runs the prompts, left-padded, in one run from an empty cache.
     *
     * @param prompts the rows' tokens
     * @param logits a buffer for {@code rows × longest × vocab} floats, reused by the caller
     * @return the cache and each row's greedy first token
     */
    Prefilled prefill(long[][] prompts, FloatBuffer logits) throws OrtException {
        int rows = prompts.length;
        int longest = 0;
        for (long[] p : prompts) {
            longest = Math.max(longest, p.length);
        }
        long[] ids = new long[rows * longest];
        long[] mask = new long[rows * longest];
        long[] pos = new long[rows * longest];
        int[] lengths = new int[rows];
        for (int r = 0; r < rows; r++) {
            int pad = longest - prompts[r].length;
            lengths[r] = prompts[r].length;
            for (int t = 0; t < prompts[r].length; t++) {
                ids[r * longest + pad + t] = prompts[r][t];
                mask[r * longest + pad + t] = 1;
                pos[r * longest + pad + t] = t;
            }
        }
        long[] shape = {rows, longest};
        Map<String, OnnxTensor> in = new HashMap<>();
        OnnxTensor[] empty = new OnnxTensor[past.length];
        long[] emptyShape = {rows, kvHeads, 0, headDim};
        try (OnnxTensor i = OnnxTensor.createTensor(env, longs(0, ids), shape);
                OnnxTensor m = OnnxTensor.createTensor(env, longs(1, mask), shape);
                OnnxTensor p = OnnxTensor.createTensor(env, longs(2, pos), shape);
                OnnxTensor out = OnnxTensor.createTensor(env, logits.duplicate().clear()
                        .limit(rows * longest * vocab).slice(), new long[] {rows, longest, vocab})) {
            in.put("input_ids", i);
            in.put("attention_mask", m);
            if (positionIds) {
                in.put("position_ids", p);
            }
            for (int k = 0; k < past.length; k++) {
                empty[k] = OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0).asFloatBuffer(), emptyShape);
                in.put(past[k], empty[k]);
            }
            OrtSession.Result result = session.run(in, presents, Map.of("logits", out));
            long[] next = new long[rows];
            for (int r = 0; r < rows; r++) {
                next[r] = argmax(logits, (r * longest + longest - 1) * vocab);
            }
            return new Prefilled(result, rows, longest, lengths, next);
        } finally {
            for (OnnxTensor t : empty) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    /**
     * Decodes greedily from a prefilled batch, which is left as it was (so it can be decoded again).
     *
     * @param from the prefilled batch
     * @param steps the decode steps; each gives every row one token
     * @param out per row, the tokens: the first from the prefill, then one per step ({@code steps + 1} in all)
     */
    void decode(Prefilled from, int steps, long[][] out) throws OrtException {
        int rows = from.rows;
        long[] tokens = from.next.clone();
        for (int r = 0; r < rows; r++) {
            out[r][0] = tokens[r];
        }
        FloatBuffer logits = ByteBuffer.allocateDirect(rows * vocab * 4).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        Map<String, OnnxTensor> in = new HashMap<>();
        OrtSession.Result previous = null;
        try (OnnxTensor pinned = OnnxTensor.createTensor(env, logits, new long[] {rows, 1, vocab})) {
            Map<String, OnnxTensor> outputs = Map.of("logits", pinned);
            OrtSession.Result pastResult = from.result;
            for (int s = 0; s < steps; s++) {
                int total = from.paddedLength + s + 1;
                long[] mask = new long[rows * total];
                long[] pos = new long[rows];
                for (int r = 0; r < rows; r++) {
                    java.util.Arrays.fill(mask, r * total + from.paddedLength - from.lengths[r], (r + 1) * total, 1L);
                    pos[r] = from.lengths[r] + s;
                }
                long[] shape = {rows, 1};
                try (OnnxTensor i = OnnxTensor.createTensor(env, longs(0, tokens), shape);
                        OnnxTensor m = OnnxTensor.createTensor(env, longs(1, mask), new long[] {rows, total});
                        OnnxTensor p = OnnxTensor.createTensor(env, longs(2, pos), shape)) {
                    in.put("input_ids", i);
                    in.put("attention_mask", m);
                    if (positionIds) {
                        in.put("position_ids", p);
                    }
                    for (int k = 0; k < past.length; k++) {
                        in.put(past[k], (OnnxTensor) pastResult.get(presentNames[k]).get());
                    }
                    OrtSession.Result result = session.run(in, presents, outputs);
                    if (previous != null) {
                        previous.close();
                    }
                    previous = result;
                    pastResult = result;
                }
                for (int r = 0; r < rows; r++) {
                    tokens[r] = argmax(logits, r * vocab);
                    out[r][s + 1] = tokens[r];
                }
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
        }
    }

    /**
     * Continues one prefilled row with more prompt tokens in one run: a prompt whose first tokens' cache is already
     * there (prefix reuse). The prefilled row is left as it was.
     *
     * @param prefix a prefilled single row
     * @param suffix the prompt's remaining tokens
     * @param logits a buffer for {@code suffix.length × vocab} floats
     * @return the whole prompt's cache and greedy first token
     */
    Prefilled extend(Prefilled prefix, long[] suffix, FloatBuffer logits) throws OrtException {
        int done = prefix.lengths[0];
        int n = suffix.length;
        long[] mask = new long[done + n];
        java.util.Arrays.fill(mask, 1L);
        long[] pos = new long[n];
        for (int t = 0; t < n; t++) {
            pos[t] = done + t;
        }
        long[] shape = {1, n};
        Map<String, OnnxTensor> in = new HashMap<>();
        try (OnnxTensor i = OnnxTensor.createTensor(env, longs(0, suffix), shape);
                OnnxTensor m = OnnxTensor.createTensor(env, longs(1, mask), new long[] {1, done + n});
                OnnxTensor p = OnnxTensor.createTensor(env, longs(2, pos), shape);
                OnnxTensor out = OnnxTensor.createTensor(env, logits.duplicate().clear().limit(n * vocab).slice(),
                        new long[] {1, n, vocab})) {
            in.put("input_ids", i);
            in.put("attention_mask", m);
            if (positionIds) {
                in.put("position_ids", p);
            }
            for (int k = 0; k < past.length; k++) {
                in.put(past[k], (OnnxTensor) prefix.result.get(presentNames[k]).get());
            }
            OrtSession.Result result = session.run(in, presents, Map.of("logits", out));
            return new Prefilled(result, 1, done + n, new int[] {done + n},
                    new long[] {argmax(logits, (n - 1) * vocab)});
        }
    }

    /**
     * @return {@code values} in direct input buffer {@code which} (grown when too small), which ONNX Runtime reads in
     *     place: a heap array would be copied into a new direct buffer by every run
     */
    private LongBuffer longs(int which, long[] values) {
        if (inputs[which] == null || inputs[which].capacity() < values.length) {
            inputs[which] = ByteBuffer.allocateDirect(Math.max(values.length, 4096) * Long.BYTES)
                    .order(ByteOrder.nativeOrder()).asLongBuffer();
        }
        LongBuffer b = inputs[which].clear();
        b.put(values).flip();
        return b;
    }

    /** @return the logits buffer the prefill of {@code rows × longest} tokens needs */
    FloatBuffer prefillBuffer(int rows, int longest) {
        return ByteBuffer.allocateDirect(rows * longest * vocab * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private int argmax(FloatBuffer logits, int from) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            float x = logits.get(from + i);
            if (x > max) {
                max = x;
                best = i;
            }
        }
        return best;
    }
}
