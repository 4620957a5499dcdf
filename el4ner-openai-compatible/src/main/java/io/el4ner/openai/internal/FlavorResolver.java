package io.el4ner.openai.internal;

import static io.el4ner.openai.internal.MemberLog.LOG;

import io.el4ner.api.Redaction;
import io.el4ner.openai.Flavor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which {@link Flavor} a member's calls use: the configured one, or for {@link Flavor#AUTO} the one the first call
 * detects ({@link FlavorDetector}), one call at a time, within that call's deadline. A server that could not be
 * reached is asked again on the next call; until then a call asks for JSON in the prompt only.
 */
final class FlavorResolver {
    private static final long DETECTION_TIMEOUT_NANOS = Duration.ofSeconds(5).toNanos();

    /** Asks one replica what it is; {@link FlavorDetector} over the member's transport in production. */
    @FunctionalInterface
    interface Detector {
        Optional<FlavorDetector.Detection> detect(BaseUrl url, long timeoutNanos) throws InterruptedException;
    }

    private final String member;
    private final Flavor configured;
    private final List<Endpoint> endpoints;
    private final Detector detector;
    private final long requestTimeoutNanos;
    private final FailureMessages failures;
    private final ReentrantLock detectionLock = new ReentrantLock();
    private volatile FlavorDetector.Detection detected;

    /**
     * @param member the member's name, for the log
     * @param configured the configured flavor
     * @param endpoints the replicas, asked in order
     * @param transport the member's transport
     * @param requestTimeout the deadline of one HTTP attempt (detection takes at most 5 s per request)
     * @param failures the member's failure messages
     */
    FlavorResolver(String member, Flavor configured, List<Endpoint> endpoints, Transport transport,
                   Duration requestTimeout, FailureMessages failures) {
        this(member, configured, endpoints, (url, nanos) -> FlavorDetector.detect(transport, url, nanos),
                requestTimeout, failures);
    }

    FlavorResolver(String member, Flavor configured, List<Endpoint> endpoints, Detector detector,
                   Duration requestTimeout, FailureMessages failures) {
        this.member = member;
        this.configured = configured;
        this.endpoints = List.copyOf(endpoints);
        this.detector = detector;
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.failures = failures;
    }

    /** @return the configured flavor */
    public Flavor configured() {
        return configured;
    }

    /** @return the configured flavor, or the detected one once detection ran; else empty */
    public Optional<Flavor> effective() {
        if (configured != Flavor.AUTO) {
            return Optional.of(configured);
        }
        FlavorDetector.Detection d = detected;
        return d == null ? Optional.empty() : Optional.of(d.flavor());
    }

    /** @return the flavor as {@code toString} shows it: {@code vllm}, {@code auto} or {@code auto (vllm)} */
    public String describe() {
        FlavorDetector.Detection d = detected;
        return configured != Flavor.AUTO ? configured.configName() : d == null ? "auto"
                : "auto (" + d.flavor().configName() + ")";
    }

    /**
     * @param call the call that needs the flavor
     * @return the flavor to send this call with; never {@link Flavor#AUTO}
     * @throws io.el4ner.api.MemberTimeoutException if the deadline passed waiting for another call's detection, or
     *     the thread was interrupted
     */
    public Flavor resolve(Call call) {
        if (configured != Flavor.AUTO) {
            return configured;
        }
        FlavorDetector.Detection d = detected;
        if (d != null) {
            return d.flavor();
        }
        try {
            if (!detectionLock.tryLock(Math.max(0, call.remainingNanos()), TimeUnit.NANOSECONDS)) {
                throw failures.timedOut(call, 0, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failures.cancelled(call, "while waiting for another call to detect the server's flavor");
        }
        try {
            d = detected;
            if (d != null) {
                return d.flavor();
            }
            for (Endpoint e : endpoints) {
                long per = Math.min(Math.min(requestTimeoutNanos, DETECTION_TIMEOUT_NANOS), call.remainingNanos() / 4);
                if (per <= 0) {
                    break;
                }
                Optional<FlavorDetector.Detection> found;
                try {
                    found = detector.detect(e.url(), per);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw failures.cancelled(call, "while detecting the server's flavor at " + e.url());
                }
                if (found.isPresent()) {
                    d = found.get();
                    detected = d;
                    LOG.info("member '{}': {} at {} ({})", member, d.flavor() == Flavor.PROMPT_ONLY
                            ? "unknown server, asking for JSON in the prompt only" : "detected flavor "
                            + d.flavor().configName(), e.url(), Redaction.excerpt(d.evidence(), 200));
                    return d.flavor();
                }
            }
        } finally {
            detectionLock.unlock();
        }
        LOG.debug("member '{}': could not reach a server to detect its flavor; this call uses prompt-only JSON",
                member);
        return Flavor.PROMPT_ONLY;
    }
}
