package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The retry delays: exponential backoff with jitter, and the server's {@code Retry-After}. */
class BackoffTest {
    @Test
    void delayNanos_laterRetries_growExponentiallyWithJitterAndAreCapped() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1_000));
        for (int i = 0; i < 200; i++) {
            assertThat(b.delayNanos(1)).isBetween(Duration.ofMillis(50).toNanos(), Duration.ofMillis(100).toNanos());
            assertThat(b.delayNanos(3)).isBetween(Duration.ofMillis(200).toNanos(), Duration.ofMillis(400).toNanos());
            assertThat(b.delayNanos(40)).isBetween(Duration.ofMillis(500).toNanos(), Duration.ofMillis(1_000).toNanos());
        }
        assertThat(new Backoff(Duration.ZERO, Duration.ZERO).delayNanos(5)).isZero();
    }

    @Test
    void parseRetryAfter_secondsDateOrMilliseconds_areRead() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(Backoff.parseRetryAfter("3", now)).contains(Duration.ofSeconds(3).toNanos());
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(7).atOffset(ZoneOffset.UTC));
        assertThat(Backoff.parseRetryAfter(date, now)).contains(Duration.ofSeconds(7).toNanos());
        assertThat(Backoff.parseRetryAfter(DateTimeFormatter.RFC_1123_DATE_TIME.format(
                now.minusSeconds(7).atOffset(ZoneOffset.UTC)), now)).contains(0L);
        assertThat(Backoff.parseRetryAfter("soon", now)).isEmpty();
        HttpHeaders ms = HttpHeaders.of(Map.of("retry-after-ms", List.of("250"), "retry-after", List.of("9")),
                (a, b) -> true);
        assertThat(Backoff.retryAfterNanos(ms, now)).contains(Duration.ofMillis(250).toNanos());
    }
}
