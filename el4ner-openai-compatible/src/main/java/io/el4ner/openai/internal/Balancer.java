package io.el4ner.openai.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the replica for the next attempt: among those whose circuit breaker lets a call through, the one with
 * the fewest requests in flight; ties go round-robin. A retry avoids the replica that just failed when another
 * one is available.
 */
final class Balancer {
    private final List<Endpoint> endpoints;
    private final AtomicInteger rotation = new AtomicInteger();

    /** @param endpoints the replicas, at least one */
    public Balancer(List<Endpoint> endpoints) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint");
        }
        this.endpoints = List.copyOf(endpoints);
    }

    /** @return the replicas */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /**
     * Picks a replica and acquires its breaker.
     *
     * @param avoid the replica that just failed, or null
     * @return the replica, or empty when every breaker is open
     */
    public Optional<Endpoint> pick(Endpoint avoid) {
        int n = endpoints.size();
        int start = Math.floorMod(rotation.getAndIncrement(), n);
        List<Endpoint> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(endpoints.get((start + i) % n));
        }
        // Stable sort: equal loads keep the rotated order, which spreads ties round-robin.
        order.sort(Comparator.comparingInt((Endpoint e) -> e == avoid && n > 1 ? 1 : 0)
                .thenComparingInt(e -> e.outstanding().get()));
        long now = System.nanoTime();
        for (Endpoint e : order) {
            if (e.breaker().tryAcquire(now)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
