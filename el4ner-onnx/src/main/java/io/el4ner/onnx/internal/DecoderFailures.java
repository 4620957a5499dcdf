package io.el4ner.onnx.internal;

import ai.onnxruntime.OrtException;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.RetriableBackendException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How a call of the in-process decoder member waits for its answer and what it throws when that fails: each failure
 * of the decoding loop (a deadline, memory running out, a closed member, an answer the constraint cannot write, output
 * that is not numbers, ONNX Runtime itself) becomes the {@link ModelMemberException} that tells el4ner whether asking
 * again can help, with a message naming the member and the model and saying what to do.
 */
public final class DecoderFailures {
    private final String name;
    private final String model;
    private final String executionProvider;
    private final Duration callTimeout;

    /**
     * @param name the member's name
     * @param model the model's name, folder and variant
     * @param executionProvider where the model runs
     * @param callTimeout the call timeout, or null for none
     */
    public DecoderFailures(String name, String model, String executionProvider, Duration callTimeout) {
        this.name = name;
        this.model = model;
        this.executionProvider = executionProvider;
        this.callTimeout = callTimeout;
    }

    /**
     * Waits for a request's outcome until a little after its deadline; cancels the request when the wait ends early.
     *
     * @param q the request
     * @param start when the call began, {@link System#nanoTime()}
     * @param deadline when the call must end, {@link System#nanoTime()}, or {@link Long#MAX_VALUE} for never
     * @return the outcome
     * @throws ModelMemberException as the member's {@code chat}
     */
    public DecodingLoop.Outcome await(DecodeRequest q, long start, long deadline) {
        try {
            if (deadline == Long.MAX_VALUE) {
                return q.result().get();
            }
            // A little longer than the deadline: the decoding thread ends the request by then, at its next step.
            return q.result().get(Math.max(0, deadline - System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(50),
                    TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            q.cancel();
            Thread.currentThread().interrupt();
            throw new MemberTimeoutException(name, "the call to member '" + name + "' was cancelled after "
                    + millisSince(start) + " ms: its thread was interrupted");
        } catch (TimeoutException e) {
            q.cancel();
            throw timedOut(start);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), start);
        }
    }

    private ModelMemberException failure(Throwable cause, long start) {
        if (cause instanceof DecodingLoop.DeadlineException) {
            return timedOut(start);
        }
        if (cause instanceof OutOfMemoryError) {
            // Only this call failed; with fewer calls decoding at once the same call may fit.
            return new RetriableBackendException(name, "member '" + name + "' ran out of memory decoding with model '"
                    + model + "' (" + cause + "); this call failed, the member goes on. The KV cache of the "
                    + "calls decoding lives in direct memory (-XX:MaxDirectMemorySize, by default -Xmx) and the "
                    + "prefix cache on the heap (-Xmx): give the JVM more, or lower kvCacheMegabytes, maxBatchSize or "
                    + "prefixCacheMegabytes", cause);
        }
        if (cause instanceof DecodingLoop.StoppedException) {
            return closedDuringCall(cause);
        }
        if (cause instanceof NoValidAnswerException e) {
            return noValidAnswer(e);
        }
        if (cause instanceof DecoderOutputException) {
            return new NonRetriableBackendException(name, "model '" + model + "' of member '" + name
                    + "' produced unusable output on " + executionProvider + ": " + cause.getMessage() + "; the "
                    + "model file may be damaged, or this variant does not compute correctly on this execution "
                    + "provider", cause);
        }
        if (cause instanceof OrtException && outOfMemory(cause.getMessage())) {
            // GPU or native memory: with fewer calls decoding at once the same call may fit.
            return new RetriableBackendException(name, "ONNX Runtime ran out of memory running model '"
                    + model + "' of member '" + name + "' on " + executionProvider + ": " + cause.getMessage()
                    + "; this call failed, the member goes on. Lower maxBatchSize or kvCacheMegabytes, or use a "
                    + "smaller variant", cause);
        }
        if (cause instanceof OrtException) {
            return new NonRetriableBackendException(name, "ONNX Runtime failed running model '" + model
                    + "' of member '" + name + "' on " + executionProvider + ": " + cause.getMessage(), cause);
        }
        return new NonRetriableBackendException(name, "decoding with model '" + model + "' of member '"
                + name + "' failed: " + cause, cause);
    }

    /**
     * @param e why no answer can be written
     * @return the failure of a call whose answer the constraint cannot write with the model's tokens
     */
    public NonRetriableBackendException noValidAnswer(NoValidAnswerException e) {
        return new NonRetriableBackendException(name, "member '" + name + "' cannot constrain this answer with the "
                + "tokens of model '" + model + "': " + e.getMessage(), e);
    }

    /**
     * @param cause what stopped the call, or null
     * @return the failure of a call the member's closing ended
     */
    public ModelMemberException closedDuringCall(Throwable cause) {
        return new ModelMemberException(name, "member '" + name + "' was closed during the call", cause);
    }

    /** Whether an ONNX Runtime message says memory ran out (its CPU and CUDA allocators word it so). */
    static boolean outOfMemory(String message) {
        String m = String.valueOf(message).toLowerCase(java.util.Locale.ROOT);
        return m.contains("out of memory") || m.contains("failed to allocate") || m.contains("bad_alloc")
                || m.contains("cudaerrormemoryallocation");
    }

    private MemberTimeoutException timedOut(long start) {
        return new MemberTimeoutException(name, "member '" + name + "' did not answer within "
                + callTimeout.toMillis() + " ms (callTimeout); it stopped after " + millisSince(start) + " ms");
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
