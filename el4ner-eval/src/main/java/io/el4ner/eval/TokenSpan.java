package io.el4ner.eval;

import java.util.Objects;

/**
 * An entity as a range of token indices of a sentence, as decoded from its tags.
 *
 * @param start index of the first token, inclusive, {@code >= 0}
 * @param end index after the last token, exclusive, {@code > start}
 * @param type the entity type, as written after the tag prefix (e.g. {@code PER})
 * @since 0.1
 */
public record TokenSpan(int start, int end, String type) {
    /** Validates the components. */
    public TokenSpan {
        Objects.requireNonNull(type, "type");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("token span needs 0 <= start < end, got [" + start + ", " + end + ")");
        }
        if (type.isBlank()) {
            throw new IllegalArgumentException("token span type must not be blank");
        }
    }

    /** @return the number of tokens, {@code end - start} */
    public int length() {
        return end - start;
    }
}
