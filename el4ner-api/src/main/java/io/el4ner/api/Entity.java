package io.el4ner.api;

import java.util.Objects;

/**
 * A recognised entity. Offsets are UTF-16 indices into the text passed to {@code recognize}, and
 * {@code input.substring(start, end).equals(text)} always holds.
 *
 * @param start first index, inclusive
 * @param end last index, exclusive
 * @param type the entity type's name
 * @param text the covered text
 * @param confidence the weighted share of classification votes the type won, in [0, 1]
 * @param provenance which member proposed, labelled and validated it
 * @since 0.1
 */
public record Entity(int start, int end, String type, String text, double confidence, Provenance provenance) {
    /** Validates the components. */
    public Entity {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(provenance, "provenance");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("entity needs 0 <= start < end, got [" + start + ", " + end + ")");
        }
        if (text.length() != end - start) {
            throw new IllegalArgumentException("entity text '" + text + "' does not fit [" + start + ", " + end + ")");
        }
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be in [0, 1], got " + confidence);
        }
    }

    /**
     * @param offset how far to move
     * @return the same entity moved by {@code offset} characters
     */
    public Entity shift(int offset) {
        return new Entity(start + offset, end + offset, type, text, confidence, provenance);
    }
}
