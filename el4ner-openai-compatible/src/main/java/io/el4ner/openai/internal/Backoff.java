package io.el4ner.openai.internal;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, and the server's {@code Retry-After}.
 *
 * @param base the delay before the first retry, before jitter
 * @param max the longest delay
 */
record Backoff(Duration base, Duration max) {
    private static final long MAX_RETRY_AFTER_SECONDS = 86_400;

    /** Validates the components. */
    public Backoff {
        if (base.isNegative() || max.isNegative()) {
            throw new IllegalArgumentException("delays must be >= 0");
        }
        if (base.compareTo(max) > 0) {
            throw new IllegalArgumentException("the base delay " + base.toMillis() + " ms exceeds the maximum delay "
                    + max.toMillis() + " ms");
        }
    }

    /**
     * The delay before retry number {@code retry}: {@code min(max, base * 2^(retry-1))}, with "equal jitter" (a
     * uniformly random value between half of it and all of it), so that clients that failed together do not retry
     * together.
     *
     * @param retry 1 for the first retry
     * @return the delay in nanoseconds
     */
    public long delayNanos(int retry) {
        long baseNanos = base.toNanos();
        long maxNanos = max.toNanos();
        int shift = Math.min(Math.max(retry - 1, 0), 30);
        long exp = baseNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, baseNanos << shift);
        if (exp <= 1) {
            return exp;
        }
        long half = exp / 2;
        return half + ThreadLocalRandom.current().nextLong(exp - half + 1);
    }

    /**
     * Reads how long the server asks to wait: {@code retry-after-ms} (milliseconds, sent by some OpenAI-compatible
     * gateways), else {@code Retry-After} as delay-seconds or as an HTTP date (RFC 9110).
     *
     * @param headers the response headers
     * @param now the current time, for a date
     * @return the wait in nanoseconds, if the server gave a readable one
     */
    public static Optional<Long> retryAfterNanos(HttpHeaders headers, Instant now) {
        Optional<String> ms = headers.firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                double v = Double.parseDouble(ms.get().strip());
                if (v >= 0 && v <= MAX_RETRY_AFTER_SECONDS * 1000.0) {
                    return Optional.of((long) (v * 1_000_000L));
                }
            } catch (NumberFormatException e) {
                // fall through to Retry-After
            }
        }
        return headers.firstValue("retry-after").flatMap(v -> parseRetryAfter(v, now));
    }

    /**
     * @param value a {@code Retry-After} value
     * @param now the current time
     * @return the wait in nanoseconds, if readable; a date in the past gives 0
     */
    public static Optional<Long> parseRetryAfter(String value, Instant now) {
        String v = value.strip();
        if (v.matches("\\d{1,12}")) {
            long seconds = Math.min(Long.parseLong(v), MAX_RETRY_AFTER_SECONDS);
            return Optional.of(Duration.ofSeconds(seconds).toNanos());
        }
        if (v.matches("\\d{1,9}\\.\\d{1,9}")) {
            double seconds = Math.min(Double.parseDouble(v), MAX_RETRY_AFTER_SECONDS);
            return Optional.of((long) (seconds * 1e9));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            long nanos = Duration.between(now, at).toNanos();
            return Optional.of(Math.min(Math.max(0, nanos), Duration.ofSeconds(MAX_RETRY_AFTER_SECONDS).toNanos()));
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
    }
}
