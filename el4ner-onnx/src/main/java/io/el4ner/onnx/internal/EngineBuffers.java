package io.el4ner.onnx.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayDeque;

/**
 * The direct memory a {@link DecoderEngine} keeps and reuses between runs: the buffers of a run's inputs, the pinned
 * buffer ONNX Runtime writes the logits into, and the spare buffers of closed KV cache tensors. A fresh direct buffer
 * costs a page fault per 4 KB page on first touch (tens of microseconds each in some virtual machines), and Java frees
 * it only after a garbage collection. Not thread-safe, as the engine.
 */
final class EngineBuffers {
    private static final byte[] ZEROS = new byte[4096];

    private final OrtEnvironment env;
    private final DecoderSignature sig;
    private ByteBuffer logitsBytes; // pinned logits, grown on demand
    private final ByteBuffer[] inputBytes = new ByteBuffer[3]; // input ids, attention mask, position ids
    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>(); // direct buffers of closed KV tensors
    private final int maxSpare;

    EngineBuffers(OrtEnvironment env, DecoderSignature sig) {
        this.env = env;
        this.sig = sig;
        this.maxSpare = 4 * sig.layers();
    }

    /**
     * Copies {@code values} into input buffer {@code which} (grown on demand, reused by every run) and returns a
     * direct view of them, which ONNX Runtime reads in place.
     */
    LongBuffer longs(int which, long[] values) {
        int bytes = values.length * Long.BYTES;
        ByteBuffer b = inputBytes[which];
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(Math.max(bytes, b == null ? 0 : 2 * b.capacity()));
            inputBytes[which] = b;
        }
        LongBuffer out = view(b, bytes).asLongBuffer();
        out.put(values).flip();
        return out;
    }

    /**
     * A direct buffer of at least {@code bytes}, its content undefined: the smallest spare buffer of a closed tensor
     * that is large enough, else a new one with a quarter more room (the next batch is usually a little longer). Give
     * it back with {@link #release} once the tensor over it is closed.
     */
    ByteBuffer take(int bytes) {
        ByteBuffer best = null;
        for (ByteBuffer b : spare) {
            if (b.capacity() >= bytes && (best == null || b.capacity() < best.capacity())) {
                best = b;
            }
        }
        if (best != null) {
            spare.remove(best);
            return best;
        }
        return ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE, bytes + bytes / 4L));
    }

    /**
     * Takes back a buffer from {@link #take} whose tensor was closed; keeps at most {@code 4 × layers} buffers (the
     * cache tensors of about two batches), dropping the smallest.
     */
    void release(ByteBuffer buffer) {
        spare.add(buffer);
        if (spare.size() > maxSpare) {
            ByteBuffer smallest = null;
            for (ByteBuffer b : spare) {
                if (smallest == null || b.capacity() < smallest.capacity()) {
                    smallest = b;
                }
            }
            spare.remove(smallest);
        }
    }

    /** A tensor over the start of the engine's logits buffer, {@code [rows, seq, vocab]}. */
    OnnxTensor pinnedLogits(int rows, int seq) throws OrtException {
        int elementBytes = sig.logitsType() == OnnxJavaType.FLOAT16 ? 2 : 4;
        long count = (long) rows * seq * sig.vocab();
        if (count * elementBytes > Integer.MAX_VALUE) {
            throw new IllegalStateException(rows + " x " + seq + " x " + sig.vocab() + " logits do not fit a buffer");
        }
        int bytes = (int) count * elementBytes;
        if (logitsBytes == null || logitsBytes.capacity() < bytes) {
            logitsBytes = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        ByteBuffer slice = logitsBytes.duplicate().order(ByteOrder.nativeOrder());
        slice.position(0).limit(bytes);
        slice = slice.slice().order(ByteOrder.nativeOrder());
        long[] shape = {rows, seq, sig.vocab()};
        return elementBytes == 2 ? OnnxTensor.createTensor(env, slice.asShortBuffer(), shape, OnnxJavaType.FLOAT16)
                : OnnxTensor.createTensor(env, slice.asFloatBuffer(), shape);
    }

    /** Copies the logits at flat position {@code index} (row × seq + position) of the last run into {@code out}. */
    void readLogits(int index, float[] out) {
        int v = sig.vocab();
        if (sig.logitsType() == OnnxJavaType.FLOAT16) {
            ShortBuffer s = logitsBytes.duplicate().order(ByteOrder.nativeOrder()).asShortBuffer();
            for (int i = 0; i < v; i++) {
                out[i] = Fp16Conversions.fp16ToFloat(s.get(index * v + i));
            }
        } else {
            FloatBuffer f = logitsBytes.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
            f.get(index * v, out, 0, v);
        }
    }

    /** @return the first {@code bytes} of {@code base}, in native byte order */
    static ByteBuffer view(ByteBuffer base, int bytes) {
        return base.duplicate().position(0).limit(bytes).slice().order(ByteOrder.nativeOrder());
    }

    /** Zeroes {@code bytes} bytes of {@code buf} from {@code at} (the padding before a row's real positions). */
    static void zero(ByteBuffer buf, int at, int bytes) {
        for (int done = 0; done < bytes; done += ZEROS.length) {
            buf.put(at + done, ZEROS, 0, Math.min(ZEROS.length, bytes - done));
        }
    }
}
