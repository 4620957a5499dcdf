package io.el4ner.onnx.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The KV cache tensors of a {@link DecoderEngine}: the past tensors a run takes, built from rows' caches left-padded
 * to a common length, the rows read back out of them without padding, and the {@code present.*} outputs checked
 * against the model's signature. Kept apart from the engine's running so that the byte layout
 * ({@code [rows, kv_heads, length, head_dim]}, rows right-aligned, zeros before) is in one place.
 */
final class KvTensors {
    private final OrtEnvironment env;
    private final DecoderSignature sig;
    private final String[] pastNames;
    private final String[] presentNames;
    private final EngineBuffers buffers;

    KvTensors(OrtEnvironment env, DecoderSignature sig, String[] pastNames, String[] presentNames,
              EngineBuffers buffers) {
        this.env = env;
        this.sig = sig;
        this.pastNames = pastNames;
        this.presentNames = presentNames;
        this.buffers = buffers;
    }

    /** Checks and returns a run's {@code present.*} outputs, {@code [rows, kv_heads, length, head_dim]} each. */
    OnnxTensor[] presentsOf(OrtSession.Result result, int rows, int length) {
        OnnxTensor[] out = new OnnxTensor[presentNames.length];
        for (int i = 0; i < presentNames.length; i++) {
            OnnxValue v = result.get(presentNames[i]).orElse(null);
            long[] expected = {rows, sig.kvHeads(), length, sig.headDim()};
            if (!(v instanceof OnnxTensor t) || !Arrays.equals(t.getInfo().getShape(), expected)
                    || t.getInfo().type != sig.kvType()) {
                throw new DecoderOutputException("output " + presentNames[i] + " is "
                        + (v == null ? "missing" : String.valueOf(v.getInfo())) + ", expected " + sig.kvType()
                        + Arrays.toString(expected));
            }
            out[i] = t;
        }
        return out;
    }

    /** Past tensors of no tokens, for a run from scratch; {@code owner} gets them. */
    OnnxTensor[] emptyPast(int rows, List<AutoCloseable> owner) throws OrtException {
        OnnxTensor[] out = new OnnxTensor[pastNames.length];
        long[] shape = {rows, sig.kvHeads(), 0, sig.headDim()};
        for (int i = 0; i < out.length; i++) {
            out[i] = OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0), shape, sig.kvType());
            owner.add(out[i]);
        }
        return out;
    }

    /**
     * Builds past tensors {@code [rows, heads, length, dim]}: first the {@code kept} rows of the old past (at their
     * real lengths), then the {@code added} rows, each right-aligned, with zeros before.
     *
     * @param oldPast the old past tensors; read only when rows are kept
     * @param oldLength the old past's padded length
     * @param oldReal the old rows' real lengths
     * @param owner a new list, which gets the tensors; when this fails, whatever it made is closed
     * @throws OrtException if ONNX Runtime cannot create a tensor (out of memory, say), its message saying so
     */
    OnnxTensor[] tensors(List<DecoderEngine.RowKv> added, int[] kept, OnnxTensor[] oldPast, int oldLength,
                         int[] oldReal, int length, List<AutoCloseable> owner) throws OrtException {
        int heads = sig.kvHeads();
        int headBytes = sig.headDim() * sig.kvElementBytes();
        int rows = kept.length + added.size();
        long[] shape = {rows, heads, length, sig.headDim()};
        OnnxTensor[] out = new OnnxTensor[pastNames.length];
        boolean made = false;
        try {
            for (int i = 0; i < out.length; i++) {
                long size = (long) rows * heads * length * headBytes;
                if (size > Integer.MAX_VALUE) {
                    throw new IllegalStateException("a KV tensor of " + size + " bytes is too large");
                }
                ByteBuffer base = buffers.take((int) size);
                ByteBuffer buf = EngineBuffers.view(base, (int) size);
                if (kept.length > 0) {
                    ByteBuffer old = oldPast[i].getByteBuffer();
                    for (int r = 0; r < kept.length; r++) {
                        int real = oldReal[kept[r]];
                        for (int h = 0; h < heads; h++) {
                            int src = ((kept[r] * heads + h) * oldLength + oldLength - real) * headBytes;
                            int dst = ((r * heads + h) * length + length - real) * headBytes;
                            EngineBuffers.zero(buf, dst - (length - real) * headBytes, (length - real) * headBytes);
                            buf.put(dst, old, src, real * headBytes);
                        }
                    }
                }
                for (int a = 0; a < added.size(); a++) {
                    DecoderEngine.RowKv row = added.get(a);
                    int r = kept.length + a;
                    int real = row.length();
                    for (int h = 0; h < heads; h++) {
                        int dst = ((r * heads + h) * length + length - real) * headBytes;
                        EngineBuffers.zero(buf, dst - (length - real) * headBytes, (length - real) * headBytes);
                        buf.put(dst, row.tensors[i], h * real * headBytes, real * headBytes);
                    }
                }
                OnnxTensor t = OnnxTensor.createTensor(env, buf, shape, sig.kvType());
                out[i] = t;
                owner.add(() -> {
                    t.close();
                    buffers.release(base);
                });
            }
            made = true;
            return out;
        } catch (OrtException e) {
            // Not the model's output: ONNX Runtime could not take the cache (native memory, say).
            OrtException context = new OrtException(e.getCode(), "cannot create the KV cache tensors of " + rows
                    + " rows of " + length + " tokens: " + e.getMessage());
            context.initCause(e);
            throw context;
        } finally {
            if (!made) {
                closeAll(owner);
            }
        }
    }

    /** Copies row {@code r}'s last {@code real} positions out of past tensors of {@code length} positions. */
    DecoderEngine.RowKv rowKv(OnnxTensor[] past, int r, int rows, int length, int real) {
        int heads = sig.kvHeads();
        int headBytes = sig.headDim() * sig.kvElementBytes();
        byte[][] out = new byte[past.length][];
        for (int i = 0; i < past.length; i++) {
            ByteBuffer all = past[i].getByteBuffer();
            if (rows == 1 && real == length && all.hasArray() && all.arrayOffset() == 0
                    && all.array().length == heads * length * headBytes) {
                out[i] = all.array();
                continue;
            }
            out[i] = new byte[heads * real * headBytes];
            for (int h = 0; h < heads; h++) {
                all.get(((r * heads + h) * length + length - real) * headBytes, out[i], h * real * headBytes,
                        real * headBytes);
            }
        }
        return new DecoderEngine.RowKv(out, real);
    }

    /** Closes each value, ignoring failures (closing native memory does not fail in a way a caller could act on). */
    static void closeAll(List<AutoCloseable> values) {
        for (AutoCloseable v : values) {
            try {
                v.close();
            } catch (Exception e) {
                // closing native memory does not fail in a way the caller could act on
            }
        }
        values.clear();
    }
}
