package io.el4ner.api;

import java.util.Objects;

/**
 * Calls one member made in one stage, with their cost.
 *
 * @param stage the stage
 * @param member the member's name
 * @param calls calls made, failed ones included
 * @param failures calls that threw or timed out
 * @param promptTokens prompt tokens reported
 * @param completionTokens completion tokens reported
 * @param unreportedUsage calls whose backend reported no token counts
 * @param latencyMillis wall time of the calls, summed
 * @since 0.1
 */
public record UsageEntry(Stage stage, String member, int calls, int failures, long promptTokens,
                         long completionTokens, int unreportedUsage, long latencyMillis) {
    /** Validates the components. */
    public UsageEntry {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(member, "member");
    }

    /**
     * @param other an entry for the same stage and member
     * @return the sum of both
     */
    public UsageEntry plus(UsageEntry other) {
        if (other.stage != stage || !other.member.equals(member)) {
            throw new IllegalArgumentException("cannot add usage of " + other.stage + "/" + other.member
                    + " to " + stage + "/" + member);
        }
        return new UsageEntry(stage, member, calls + other.calls, failures + other.failures,
                promptTokens + other.promptTokens, completionTokens + other.completionTokens,
                unreportedUsage + other.unreportedUsage, latencyMillis + other.latencyMillis);
    }
}
