package io.el4ner.openai.internal;

import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Redaction;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.Stage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Turns what went wrong in a member's call (an HTTP status and body, an I/O failure, a timeout, an interrupt, open
 * circuits) into the {@link Failure} the exchange decides on and the exception and message users see. One place, so
 * that every message names the member and the URL and gives advice in the same words, and every message is
 * {@linkplain Redaction#redact(String) redacted} before it leaves.
 */
final class FailureMessages {
    private final String member;
    private final String model;
    private final String apiKeyEnv;
    private final boolean keySent;
    private final long maxResponseBytes;

    /**
     * @param member the member's name
     * @param model the configured model name
     * @param apiKeyEnv the variable the API key comes from, or null
     * @param keySent whether a key is sent
     * @param maxResponseBytes the longest response body read
     */
    public FailureMessages(String member, String model, String apiKeyEnv, boolean keySent, long maxResponseBytes) {
        this.member = member;
        this.model = model;
        this.apiKeyEnv = apiKeyEnv;
        this.keySent = keySent;
        this.maxResponseBytes = maxResponseBytes;
    }

    /**
     * An HTTP answer that is not a success: 408, 429 and 5xx are retriable (after {@code Retry-After} when given);
     * any other status is not, and says what to check.
     */
    Failure http(URI uri, int status, HttpHeaders headers, byte[] body) {
        String detail = ResponseReader.errorMessage(body).map(m -> ": " + m).orElse(
                body.length == 0 ? "" : ": " + ResponseReader.excerpt(body));
        String what = "HTTP " + status + reason(status) + " from " + uri;
        if (status == 408 || status == 429 || status >= 500) {
            Optional<Long> after = Backoff.retryAfterNanos(headers, Instant.now());
            return new Failure(uri, what + after.map(n -> " (Retry-After " + TimeUnit.NANOSECONDS.toMillis(n)
                    + " ms)").orElse("") + detail, true, after.orElse(null), false);
        }
        String advice = switch (status) {
            case 401 -> ": the key was rejected" + (apiKeyEnv != null
                    ? " (it comes from the environment variable " + apiKeyEnv + ")"
                    : !keySent ? "; no key was sent: set apiKeyEnv to the name of the variable that holds it"
                    : "");
            case 403 -> ": the key was rejected or may not use model '" + model + "'";
            case 404 -> ": check baseUrl and the model name '" + model + "'";
            default -> status >= 300 && status < 400
                    ? ": the server redirects to " + Redaction.redactUrls(Redaction.excerpt(
                            headers.firstValue("location").orElse("(no Location)"), 200))
                    + "; give that address as baseUrl" : "";
        };
        return new Failure(uri, what + advice + detail, false, null, false);
    }

    /** A success status whose body is not a chat answer: retriable (a proxy may have cut it). */
    Failure malformed(URI uri, String why) {
        return new Failure(uri, "malformed answer from " + uri + ": " + why, true, null, false);
    }

    /** No complete answer within the attempt's time; retriable unless that time ended at the call's deadline. */
    Failure timeout(URI uri, long attemptNanos, boolean boundByDeadline) {
        return new Failure(uri, "no complete answer from " + uri + " within "
                + TimeUnit.NANOSECONDS.toMillis(attemptNanos) + " ms", true, null, boundByDeadline);
    }

    /** A body over {@code maxResponseBytes}: not retriable, it would be as long again. */
    Failure tooLarge(URI uri) {
        return new Failure(uri, "the answer from " + uri + " is longer than maxResponseBytes="
                + maxResponseBytes + " bytes; raise maxResponseBytes or lower maxTokens", false, null, false);
    }

    /** A connection or exchange failure: retriable. */
    Failure io(URI uri, IOException e) {
        return new Failure(uri, ioSummary(uri, e), true, null, false);
    }

    /** @return the exception for a failure that no retry can mend */
    NonRetriableBackendException rejected(Failure failure) {
        return new NonRetriableBackendException(member, Redaction.redact("member '" + member + "': "
                + failure.summary()));
    }

    /** @return the exception when {@code maxAttempts} attempts failed */
    RetriableBackendException exhausted(int attempts, int maxAttempts, Collection<String> tried, Failure last) {
        return new RetriableBackendException(member, Redaction.redact("member '" + member + "' got no answer after "
                + attempts + attempt(attempts) + " (maxAttempts=" + maxAttempts + ") to " + String.join(", ", tried)
                + "; last failure: " + last.summary()));
    }

    /** @return the exception when the next retry would start after the call's deadline */
    RetriableBackendException pastDeadline(Call call, int attempts, Collection<String> tried, Failure last,
                                           long delayNanos) {
        String why = last.retryAfterNanos() != null
                ? "the server asked to retry after " + TimeUnit.NANOSECONDS.toMillis(delayNanos)
                + " ms (Retry-After), past the call's deadline"
                : "the next retry would start past the call's deadline";
        return new RetriableBackendException(member, Redaction.redact("member '" + member + "' got no answer after "
                + attempts + attempt(attempts) + " to " + String.join(", ", tried) + " and gave up: " + why + " ("
                + call.budget().toMillis() + " ms); last failure: " + last.summary()));
    }

    /**
     * @param last the failure of this call's last attempt, or null
     * @param endpoints the member's replicas, all of them open
     * @return the exception when no replica's circuit lets a call through
     */
    RetriableBackendException circuitOpen(Failure last, List<Endpoint> endpoints) {
        Instant until = null;
        String lastFailure = last == null ? "" : last.summary();
        for (Endpoint e : endpoints) {
            Instant u = e.breaker().openUntil();
            if (until == null || u.isBefore(until)) {
                until = u;
            }
            if (lastFailure.isEmpty()) {
                lastFailure = e.breaker().lastFailure();
            }
        }
        return new RetriableBackendException(member, Redaction.redact("circuit open for member '" + member
                + "' until " + until + ": " + (endpoints.size() == 1 ? "its server" : "every replica")
                + " failed repeatedly; last: " + lastFailure));
    }

    /**
     * @param call the call
     * @param attempts the attempts made
     * @param last the last attempt's failure, or null
     * @return the exception when the call's deadline passed
     */
    public MemberTimeoutException timedOut(Call call, int attempts, Failure last) {
        return new MemberTimeoutException(member, Redaction.redact("member '" + member + "' did not answer within "
                + call.budget().toMillis() + " ms (its deadline for the " + stageName(call.stage()) + " stage) after "
                + attempts + attempt(attempts) + (last == null ? "" : "; last: " + last.summary())));
    }

    /**
     * @param call the call
     * @param where what the call was doing, e.g. {@code "while waiting for a request slot"}
     * @return the exception when the calling thread was interrupted
     */
    public MemberTimeoutException cancelled(Call call, String where) {
        return new MemberTimeoutException(member, "the call to member '" + member + "' was cancelled " + where
                + " after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - call.start())
                + " ms: its thread was interrupted");
    }

    /**
     * @param call the call
     * @param maxConcurrentRequests the member's slots
     * @return the exception when no request slot came free in time
     */
    public MemberTimeoutException noSlot(Call call, int maxConcurrentRequests) {
        return new MemberTimeoutException(member, "member '" + member + "' found no free request slot within "
                + call.budget().toMillis() + " ms (maxConcurrentRequests=" + maxConcurrentRequests + ")");
    }

    /**
     * @param cause why the member is known to be closed, or null
     * @return the exception for a call to a closed member
     */
    public NonRetriableBackendException closed(Throwable cause) {
        return new NonRetriableBackendException(member, "member '" + member + "' is closed", cause);
    }

    /** @return the exception when the member closed between two attempts of a call */
    NonRetriableBackendException closedDuringCall() {
        return new NonRetriableBackendException(member, "member '" + member + "' was closed during the call");
    }

    /**
     * @param s a stage
     * @return its name as configuration spells it, e.g. {@code pre-extraction}
     */
    static String stageName(Stage s) {
        return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String attempt(int n) {
        return " attempt" + (n == 1 ? "" : "s");
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> " Bad Request";
            case 401 -> " Unauthorized";
            case 403 -> " Forbidden";
            case 404 -> " Not Found";
            case 408 -> " Request Timeout";
            case 413 -> " Content Too Large";
            case 422 -> " Unprocessable Content";
            case 429 -> " Too Many Requests";
            case 500 -> " Internal Server Error";
            case 502 -> " Bad Gateway";
            case 503 -> " Service Unavailable";
            case 504 -> " Gateway Timeout";
            default -> "";
        };
    }

    private static String ioSummary(URI uri, IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "cannot connect to " + uri + ": the connection timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer from " + uri + ": " + e.getMessage();
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "cannot connect to " + uri + ": connection refused or unreachable";
            }
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : Redaction.excerpt(e.getMessage(), 200);
        return "the connection to " + uri + " failed: " + msg;
    }
}
