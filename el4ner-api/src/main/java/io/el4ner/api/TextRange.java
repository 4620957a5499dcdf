package io.el4ner.api;

/**
 * A range of UTF-16 indices in a text.
 *
 * @param start first index, inclusive, {@code >= 0}
 * @param end last index, exclusive, {@code >= start}
 * @since 0.1
 */
public record TextRange(int start, int end) {
    /** Validates the components. */
    public TextRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("range needs 0 <= start <= end, got [" + start + ", " + end + ")");
        }
    }

    /** @return {@code end - start} */
    public int length() {
        return end - start;
    }
}
