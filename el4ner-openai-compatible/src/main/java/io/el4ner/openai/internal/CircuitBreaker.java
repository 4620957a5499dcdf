package io.el4ner.openai.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * A consecutive-failure circuit breaker for one server. Closed: every call goes through. After {@code threshold}
 * failed attempts in a row it opens for {@code openFor}: calls are refused at once. Then it is half-open: one
 * trial call goes through; its success closes the breaker, its failure opens it again. A threshold of 0 disables
 * it. Thread-safe.
 */
final class CircuitBreaker {
    /** The breaker's state. */
    public enum State {
        /** Calls go through. */
        CLOSED,
        /** Calls are refused until the open period ends. */
        OPEN,
        /** One trial call may go through. */
        HALF_OPEN
    }

    private final int threshold;
    private final long openNanos;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openUntilNanos;
    private boolean trialInFlight;
    private String lastFailure = "";

    /**
     * @param threshold failed attempts in a row that open the breaker; 0 disables it
     * @param openFor how long it stays open
     */
    public CircuitBreaker(int threshold, Duration openFor) {
        if (threshold < 0) {
            throw new IllegalArgumentException("threshold must be >= 0, got " + threshold);
        }
        this.threshold = threshold;
        this.openNanos = openFor.toNanos();
    }

    /**
     * Asks to make a call now. In the half-open state the first caller gets the trial and must report its outcome
     * with {@link #onSuccess()}, {@link #onFailure(String)} or {@link #release()}.
     *
     * @param nowNanos {@link System#nanoTime()}
     * @return whether the call may go through
     */
    public synchronized boolean tryAcquire(long nowNanos) {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (nowNanos - openUntilNanos < 0) {
                    return false;
                }
                state = State.HALF_OPEN;
                trialInFlight = true;
                return true;
            default:
                if (trialInFlight) {
                    return false;
                }
                trialInFlight = true;
                return true;
        }
    }

    /**
     * @param nowNanos {@link System#nanoTime()}
     * @return whether a call would be allowed now, without taking the trial
     */
    public synchronized boolean wouldAllow(long nowNanos) {
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> nowNanos - openUntilNanos >= 0;
            case HALF_OPEN -> !trialInFlight;
        };
    }

    /** Records a call that reached a working server: closes the breaker. */
    public synchronized void onSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        trialInFlight = false;
    }

    /**
     * Records a failed attempt.
     *
     * @param reason what failed, for the message of refused calls
     * @return whether this failure opened the breaker
     */
    public synchronized boolean onFailure(String reason) {
        trialInFlight = false;
        lastFailure = reason;
        consecutiveFailures++;
        if (threshold == 0) {
            return false;
        }
        if (state == State.HALF_OPEN || state == State.CLOSED && consecutiveFailures >= threshold) {
            state = State.OPEN;
            openUntilNanos = System.nanoTime() + openNanos;
            return true;
        }
        return false;
    }

    /** Gives back a trial whose outcome is unknown (the call was cancelled); counts nothing. */
    public synchronized void release() {
        trialInFlight = false;
    }

    /** @return the current state */
    public synchronized State state() {
        return state;
    }

    /** @return failed attempts in a row */
    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** @return the last failure's description */
    public synchronized String lastFailure() {
        return lastFailure;
    }

    /** @return when the open period ends, in wall-clock time (only meaningful while open) */
    public synchronized Instant openUntil() {
        return Instant.now().plusNanos(Math.max(0, openUntilNanos - System.nanoTime()));
    }
}
