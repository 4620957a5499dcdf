package io.el4ner.openai.internal;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.Stage;
import java.time.Duration;

/**
 * One {@code chat} call in progress: its request and its deadline, which covers the wait for a request slot, flavor
 * detection, every retry and every re-ask.
 *
 * @param request the request
 * @param stage the request's stage
 * @param start when the call started ({@link System#nanoTime()})
 * @param deadline when it must end ({@link System#nanoTime()})
 * @param budget the time it was given, for messages
 */
record Call(ChatRequest request, Stage stage, long start, long deadline, Duration budget) {
    /**
     * @param request the request
     * @param budget the time the call may take from now
     * @return the call, started now
     */
    public static Call startNow(ChatRequest request, Duration budget) {
        long start = System.nanoTime();
        return new Call(request, request.context().stage(), start, start + budget.toNanos(), budget);
    }

    /** @return the nanoseconds left until the deadline; zero or less once it has passed */
    long remainingNanos() {
        return deadline - System.nanoTime();
    }
}
