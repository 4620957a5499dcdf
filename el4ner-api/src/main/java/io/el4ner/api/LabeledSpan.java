package io.el4ner.api;

import java.util.Objects;

/**
 * A gold span of a demonstration: character offsets into its sentence and the entity type.
 *
 * @param start first UTF-16 index, inclusive
 * @param end last UTF-16 index, exclusive; greater than {@code start}
 * @param type the entity type's name
 * @since 0.1
 */
public record LabeledSpan(int start, int end, String type) {
    /** Validates the components. */
    public LabeledSpan {
        Objects.requireNonNull(type, "type");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("span needs 0 <= start < end, got [" + start + ", " + end + ")");
        }
        if (type.isBlank()) {
            throw new IllegalArgumentException("span type must not be blank");
        }
    }
}
