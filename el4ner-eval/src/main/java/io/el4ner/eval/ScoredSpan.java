package io.el4ner.eval;

import java.util.Objects;

/**
 * One entity for span-set scoring: a typed token (or character) range {@code [start, end)} in one sentence.
 * Spans may nest or overlap; two spans are the same entity when all four fields are equal.
 *
 * @param sentence the 0-based sentence index
 * @param start the first token (or character), inclusive, {@code >= 0}
 * @param end the end, exclusive, {@code > start}
 * @param type the entity type, not blank
 * @since 0.1
 */
public record ScoredSpan(int sentence, int start, int end, String type) {
    /**
     * @throws IllegalArgumentException if an index is negative, the range is empty or the type is blank
     */
    public ScoredSpan {
        Objects.requireNonNull(type, "type");
        if (sentence < 0 || start < 0 || end <= start) {
            throw new IllegalArgumentException("a span needs sentence >= 0 and 0 <= start < end, got sentence="
                    + sentence + " start=" + start + " end=" + end);
        }
        if (type.isBlank()) {
            throw new IllegalArgumentException("a span needs a type, got a blank one");
        }
    }
}
