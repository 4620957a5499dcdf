package io.el4ner.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which member did what to one entity, stage by stage.
 *
 * @param proposedBy members whose extraction answer contained the span, in member order
 * @param labels each member's classification answer for the span: a type name, or {@link #NOT_AN_ENTITY};
 *     members that failed or did not answer for the span are absent; sorted by member name
 * @param validation how the entity passed validation
 * @param validatedBy members (or validator names) that accepted it; empty when validation was skipped
 * @param rejectedBy members that rejected it but were outvoted
 * @since 0.1
 */
public record Provenance(List<String> proposedBy, Map<String, String> labels, ValidationStatus validation,
                         List<String> validatedBy, List<String> rejectedBy) {
    /** The label a member gives a span it does not consider an entity. */
    public static final String NOT_AN_ENTITY = "NONE";

    /** How an entity passed the validation stage. */
    public enum ValidationStatus {
        /** The validator accepted it. */
        ACCEPTED,
        /** Validation was skipped because every member agreed on span and type. */
        SKIPPED_UNANIMOUS,
        /** Validation is disabled. */
        DISABLED,
        /** The validator could not answer (it failed), and the entity was kept. See the diagnostics. */
        UNVERIFIED
    }

    /** Validates and copies the components. */
    public Provenance {
        proposedBy = List.copyOf(proposedBy);
        labels = Map.copyOf(labels);
        Objects.requireNonNull(validation, "validation");
        validatedBy = List.copyOf(validatedBy);
        rejectedBy = List.copyOf(rejectedBy);
    }

    /** @return the labels sorted by member name (for stable printing) */
    public Map<String, String> sortedLabels() {
        return new TreeMap<>(labels);
    }
}
