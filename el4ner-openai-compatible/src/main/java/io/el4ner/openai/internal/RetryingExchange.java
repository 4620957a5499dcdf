package io.el4ner.openai.internal;

import static io.el4ner.openai.internal.MemberLog.LOG;

import io.el4ner.api.Redaction;
import io.el4ner.openai.Flavor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * One request body sent until a replica answers it: each attempt goes to the replica the {@link Balancer} picks
 * (its circuit breaker lets it through), a retriable failure counts against that replica's breaker and is retried
 * after the {@link Backoff} delay or the server's {@code Retry-After}, and the exchange ends at {@code maxAttempts},
 * at the call's deadline, on a failure no retry can mend, or when every circuit is open. What each failure means and
 * says is {@link FailureMessages}'s.
 */
final class RetryingExchange {
    /** Sends one request body and reads the whole answer within a time; the {@link Transport} in production. */
    @FunctionalInterface
    interface Sender {
        HttpResponse<byte[]> send(URI uri, byte[] body, long timeoutNanos)
                throws IOException, TimeoutException, InterruptedException;
    }

    private final String member;
    private final Balancer balancer;
    private final Sender sender;
    private final long requestTimeoutNanos;
    private final int maxAttempts;
    private final Backoff backoff;
    private final FailureMessages failures;
    private final BooleanSupplier closed;

    /**
     * @param member the member's name, for the log
     * @param balancer the member's replicas
     * @param transport the member's transport
     * @param requestTimeout the deadline of one attempt
     * @param maxAttempts attempts per exchange, the first included
     * @param backoff the delays between attempts
     * @param failures the member's failure messages
     * @param closed whether the member was closed (checked before each attempt)
     */
    public RetryingExchange(String member, Balancer balancer, Transport transport, Duration requestTimeout,
                            int maxAttempts, Backoff backoff, FailureMessages failures, BooleanSupplier closed) {
        this(member, balancer, (uri, body, nanos) -> transport.exchange(transport.post(uri, body), nanos),
                requestTimeout, maxAttempts, backoff, failures, closed);
    }

    RetryingExchange(String member, Balancer balancer, Sender sender, Duration requestTimeout, int maxAttempts,
                     Backoff backoff, FailureMessages failures, BooleanSupplier closed) {
        this.member = member;
        this.balancer = balancer;
        this.sender = sender;
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.failures = failures;
        this.closed = closed;
    }

    /**
     * Sends a chat request until a replica answers it.
     *
     * @param call the call, whose deadline bounds every attempt and wait
     * @param flavor the flavor the body was built for (Ollama's has its own endpoint)
     * @param body the request body
     * @return the answer
     * @throws io.el4ner.api.ModelMemberException when no answer came: retriable or not, or a timeout
     */
    public Answer exchange(Call call, Flavor flavor, byte[] body) {
        Set<String> tried = new LinkedHashSet<>();
        Endpoint previous = null;
        Failure last = null;
        for (int attempt = 1; ; attempt++) {
            if (closed.getAsBoolean()) {
                throw failures.closedDuringCall();
            }
            long remaining = call.remainingNanos();
            if (remaining <= 0) {
                throw failures.timedOut(call, attempt - 1, last);
            }
            Optional<Endpoint> picked = balancer.pick(previous);
            if (picked.isEmpty()) {
                throw failures.circuitOpen(last, balancer.endpoints());
            }
            Endpoint ep = picked.get();
            URI uri = flavor == Flavor.OLLAMA ? ep.url().ollamaChat() : ep.url().chatCompletions();
            tried.add(uri.toString());
            long attemptNanos = Math.min(requestTimeoutNanos, remaining);
            Failure failure;
            ep.outstanding().incrementAndGet();
            try {
                HttpResponse<byte[]> r = sender.send(uri, body, attemptNanos);
                int status = r.statusCode();
                if (status >= 200 && status < 300) {
                    String type = Redaction.excerpt(r.headers().firstValue("content-type").orElse("(none)"), 100);
                    try {
                        Answer a = ResponseReader.read(flavor, r.body(), type);
                        ep.breaker().onSuccess();
                        return a;
                    } catch (ResponseReader.MalformedAnswerException e) {
                        failure = failures.malformed(uri, e.getMessage());
                    }
                } else {
                    failure = failures.http(uri, status, r.headers(), r.body());
                }
            } catch (TimeoutException e) {
                failure = failures.timeout(uri, attemptNanos, attemptNanos == remaining);
            } catch (InterruptedException e) {
                ep.breaker().release();
                Thread.currentThread().interrupt();
                throw failures.cancelled(call, "during a request to " + uri);
            } catch (ResponseTooLargeException e) {
                failure = failures.tooLarge(uri);
            } catch (IOException e) {
                failure = failures.io(uri, e);
            } finally {
                ep.outstanding().decrementAndGet();
            }
            if (!failure.retriable()) {
                ep.breaker().onSuccess(); // the server is up and answered; the request is what is wrong
                throw failures.rejected(failure);
            }
            if (ep.breaker().onFailure(failure.summary())) {
                LOG.warn("member '{}': circuit opened for {} until {} after {} failed attempts in a row; last: {}",
                        member, ep.url(), ep.breaker().openUntil(), ep.breaker().consecutiveFailures(),
                        Redaction.redact(failure.summary()));
            }
            last = failure;
            if (failure.boundByDeadline()) {
                throw failures.timedOut(call, attempt, last);
            }
            if (attempt >= maxAttempts) {
                throw failures.exhausted(attempt, maxAttempts, tried, last);
            }
            long delay = failure.retryAfterNanos() != null ? failure.retryAfterNanos() : backoff.delayNanos(attempt);
            if (System.nanoTime() + delay - call.deadline() >= 0) {
                throw failures.pastDeadline(call, attempt, tried, last, delay);
            }
            LOG.debug("member '{}': attempt {} failed ({}); retrying in {} ms", member, attempt,
                    Redaction.redact(failure.summary()), TimeUnit.NANOSECONDS.toMillis(delay));
            try {
                TimeUnit.NANOSECONDS.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failures.cancelled(call, "while waiting to retry " + uri);
            }
            previous = ep;
        }
    }
}
