package io.el4ner.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which member did what to one entity, stage by stage.
 *
 * @param proposedBy members whose extraction answer contained the span, in member order
 * @param labels each member's classification answer for the span: a type name, or {@link #NOT_AN_ENTITY};
 *     members that failed or did not answer for the span are absent; in the order of the given map, which
 *     for the entities el4ner returns is ensemble (member) order, the same in every run
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

    /**
     * Validates and copies the components. {@code labels} keeps the iteration order of the given map (an
     * unmodifiable copy; {@code Map.copyOf} would not, its order changes between JVM runs).
     */
    public Provenance {
        proposedBy = List.copyOf(proposedBy);
        labels = orderedCopy(labels);
        Objects.requireNonNull(validation, "validation");
        validatedBy = List.copyOf(validatedBy);
        rejectedBy = List.copyOf(rejectedBy);
    }

    private static Map<String, String> orderedCopy(Map<String, String> labels) {
        Map<String, String> copy = new LinkedHashMap<>();
        labels.forEach((member, label) -> copy.put(Objects.requireNonNull(member, "labels: member"),
                Objects.requireNonNull(label, "labels: label of " + member)));
        return Collections.unmodifiableMap(copy);
    }

    /** @return the labels sorted by member name (for stable printing) */
    public Map<String, String> sortedLabels() {
        return new TreeMap<>(labels);
    }
}
