package io.el4ner.openai.internal;

import java.net.URI;

/**
 * One failed HTTP attempt, as {@link FailureMessages} described it and as {@link RetryingExchange} decides on it.
 *
 * @param uri where the attempt went
 * @param summary what went wrong, for messages (not yet redacted)
 * @param retriable whether another attempt may succeed
 * @param retryAfterNanos the delay the server asked for ({@code Retry-After}), or null
 * @param boundByDeadline whether the attempt timed out at the call's deadline, so no time is left for another
 */
record Failure(URI uri, String summary, boolean retriable, Long retryAfterNanos, boolean boundByDeadline) {
}
