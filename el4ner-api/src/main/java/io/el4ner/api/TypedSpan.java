package io.el4ner.api;

import java.util.Objects;

/**
 * A span string with a type, as asked of a model in the validation stage.
 *
 * @param text the span as it appears in the sentence
 * @param type the entity type's name
 * @since 0.1
 */
public record TypedSpan(String text, String type) {
    /** Validates the components. */
    public TypedSpan {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(type, "type");
    }
}
