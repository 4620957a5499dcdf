package io.el4ner.api;

import java.util.Objects;

/**
 * An entity type of the label set, with the description shown to the models.
 *
 * @param name the label emitted in results, e.g. {@code PER} or {@code creative-work}; not blank, no line breaks
 * @param description what belongs to the type, in a sentence; may be empty
 * @since 0.1
 */
public record EntityType(String name, String description) {
    /** Validates the components. */
    public EntityType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (name.isBlank() || !name.strip().equals(name) || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(
                    "entity type name must be non-blank, without surrounding spaces or line breaks: '" + name + "'");
        }
    }

    /**
     * @param name the label
     * @return a type with an empty description
     */
    public static EntityType of(String name) {
        return new EntityType(name, "");
    }
}
