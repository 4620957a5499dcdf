package io.el4ner.api.spi;

import java.util.Objects;

/**
 * The outcome of the classification vote for one span.
 *
 * @param label the winning type name, or {@link io.el4ner.api.Provenance#NOT_AN_ENTITY}
 * @param confidence the winner's weighted share of the votes, in [0, 1]
 * @param unanimous whether every member that answered gave the same label
 * @since 0.1
 */
public record LabelDecision(String label, double confidence, boolean unanimous) {
    /** Validates the components. */
    public LabelDecision {
        Objects.requireNonNull(label, "label");
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be in [0, 1], got " + confidence);
        }
    }
}
