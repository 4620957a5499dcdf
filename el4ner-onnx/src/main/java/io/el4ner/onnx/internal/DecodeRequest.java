package io.el4ner.onnx.internal;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * One prompt for the {@link DecodingLoop} to continue, and what has been generated for it so far. Cancel it with
 * {@link #cancel()}; its result comes through {@link #result()}. The loop's thread alone writes its progress.
 */
public final class DecodeRequest {
    final long[] prompt;
    final int maxNew;
    final boolean limitedByContext;
    final double temperature;
    final SplittableRandom random;
    final long deadline;
    final ConstraintState constraint;
    final BitSet allowed;
    final CompletableFuture<DecodingLoop.Outcome> result = new CompletableFuture<>();
    volatile boolean cancelled;
    long[] generated;
    int count;
    int reused;

    /**
     * @param prompt the prompt's tokens, at least one
     * @param maxNew the most tokens to generate, at least one
     * @param limitedByContext whether {@code maxNew} is what the context leaves (for the finish reason)
     * @param temperature 0 for greedy decoding
     * @param random the request's random source (used only when sampling)
     * @param deadlineNanos the {@link System#nanoTime()} by which to give up, or {@link Long#MAX_VALUE}
     */
    public DecodeRequest(long[] prompt, int maxNew, boolean limitedByContext, double temperature,
                   SplittableRandom random, long deadlineNanos) {
        this(prompt, maxNew, limitedByContext, temperature, random, deadlineNanos, null);
    }

    /**
     * A request whose answer is constrained: each token is picked among those the constraint allows, and
     * decoding stops when the answer is complete ({@link DecodingLoop.Finish#COMPLETE}).
     *
     * @param prompt the prompt's tokens, at least one
     * @param maxNew the most tokens to generate, at least one
     * @param limitedByContext whether {@code maxNew} is what the context leaves (for the finish reason)
     * @param temperature 0 for greedy decoding
     * @param random the request's random source (used only when sampling)
     * @param deadlineNanos the {@link System#nanoTime()} by which to give up, or {@link Long#MAX_VALUE}
     * @param constraint the answer's constraint before its first token, or null for none; used by the decoding
     *     thread only from now on (read it again once the result is complete)
     */
    public DecodeRequest(long[] prompt, int maxNew, boolean limitedByContext, double temperature,
                   SplittableRandom random, long deadlineNanos, ConstraintState constraint) {
        if (prompt.length == 0 || maxNew < 1) {
            throw new IllegalArgumentException("a request needs a prompt and at least one new token");
        }
        this.prompt = prompt.clone();
        this.maxNew = maxNew;
        this.limitedByContext = limitedByContext;
        this.temperature = temperature;
        this.random = Objects.requireNonNull(random, "random");
        this.deadline = deadlineNanos;
        this.constraint = constraint;
        this.allowed = constraint == null ? null : new BitSet();
        this.generated = new long[Math.min(maxNew, 64)];
    }

    /** @return the answer's constraint, or null; read it only once {@link #result()} is complete */
    public ConstraintState constraint() {
        return constraint;
    }

    /** @return the future result */
    public CompletableFuture<DecodingLoop.Outcome> result() {
        return result;
    }

    /** Stops the request at the next step; its result fails with a {@link DecodingLoop.StoppedException}. */
    public void cancel() {
        cancelled = true;
    }

    /** @return the prompt's tokens */
    public int promptLength() {
        return prompt.length;
    }

    /** @return the most cache this request can need, in tokens */
    public int tokenBound() {
        return prompt.length + maxNew;
    }

    boolean expired(long now) {
        return now - deadline > 0 && deadline != Long.MAX_VALUE;
    }

    /** Picks the next token: among those the constraint allows, if there is one. */
    int pick(float[] logits, int pickableIds) {
        if (constraint == null) {
            return TokenSampler.next(logits, pickableIds, temperature, random);
        }
        constraint.allowed(allowed);
        return TokenSampler.next(logits, pickableIds, allowed, temperature, random);
    }

    /** Fails the request if it was cancelled or expired; returns whether it is still wanted. */
    boolean stillWanted(long now) {
        if (cancelled) {
            result.completeExceptionally(new DecodingLoop.StoppedException("cancelled", false));
            return false;
        }
        if (expired(now)) {
            result.completeExceptionally(new DecodingLoop.DeadlineException("the deadline passed after " + count
                    + " generated tokens"));
            return false;
        }
        return true;
    }

    /** Records a generated token, which the constraint (if any) must allow. */
    void record(int token) {
        if (count == generated.length) {
            generated = Arrays.copyOf(generated, Math.min(maxNew, generated.length * 2));
        }
        if (constraint != null) {
            constraint.advance(token);
        }
        generated[count++] = token;
    }

    /** @return why the request stops after its last token, or null when it goes on */
    DecodingLoop.Finish finish(Set<Long> endTokens) {
        long token = generated[count - 1];
        return constraint != null && constraint.isComplete() ? DecodingLoop.Finish.COMPLETE
                : endTokens.contains(token) ? DecodingLoop.Finish.END_TOKEN : count >= maxNew
                ? (limitedByContext ? DecodingLoop.Finish.CONTEXT : DecodingLoop.Finish.MAX_TOKENS) : null;
    }

    /** Completes the result with the tokens generated (an end token left out). */
    void complete(DecodingLoop.Finish finish) {
        int kept = finish == DecodingLoop.Finish.END_TOKEN ? count - 1 : count;
        result.complete(new DecodingLoop.Outcome(Arrays.copyOf(generated, kept), count, reused, finish));
    }
}
