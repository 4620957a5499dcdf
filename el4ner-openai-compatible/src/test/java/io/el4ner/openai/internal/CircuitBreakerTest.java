package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A replica's circuit breaker: closed, open, half open with one trial, closed again. */
class CircuitBreakerTest {
    @Test
    void tryAcquire_failuresAndTrials_openHalfOpenAndCloseTheBreaker() throws InterruptedException {
        CircuitBreaker c = new CircuitBreaker(2, Duration.ofMillis(50));
        assertThat(c.tryAcquire(System.nanoTime())).isTrue();
        assertThat(c.onFailure("x")).isFalse();
        assertThat(c.onFailure("y")).isTrue();
        assertThat(c.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(c.tryAcquire(System.nanoTime())).isFalse();
        Thread.sleep(60);
        assertThat(c.tryAcquire(System.nanoTime())).as("the trial").isTrue();
        assertThat(c.tryAcquire(System.nanoTime())).as("only one trial").isFalse();
        c.release();
        assertThat(c.tryAcquire(System.nanoTime())).as("a released trial can be taken again").isTrue();
        c.onSuccess();
        assertThat(c.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        CircuitBreaker off = new CircuitBreaker(0, Duration.ofSeconds(1));
        for (int i = 0; i < 100; i++) {
            off.onFailure("z");
        }
        assertThat(off.tryAcquire(System.nanoTime())).isTrue();
    }
}
