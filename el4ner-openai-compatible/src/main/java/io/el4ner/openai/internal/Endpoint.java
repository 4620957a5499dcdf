package io.el4ner.openai.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One replica of a member's model: a base URL, its requests in flight, and its circuit breaker.
 *
 * @param url the replica's base URL
 * @param outstanding requests in flight to it
 * @param breaker its circuit breaker
 */
record Endpoint(BaseUrl url, AtomicInteger outstanding, CircuitBreaker breaker) {
    /**
     * @param url the replica's base URL
     * @param breaker its circuit breaker
     */
    public Endpoint(BaseUrl url, CircuitBreaker breaker) {
        this(url, new AtomicInteger(), breaker);
    }
}
