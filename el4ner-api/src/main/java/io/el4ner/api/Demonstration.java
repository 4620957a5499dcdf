package io.el4ner.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A labelled sentence of the demonstration pool, shown to the models as an in-context example.
 *
 * @param text the sentence
 * @param spans its gold entities, sorted by offset; each lies inside {@code text}
 * @since 0.1
 */
public record Demonstration(String text, List<LabeledSpan> spans) {
    /** Validates that every span lies inside the text, and sorts the spans by (start, end). */
    public Demonstration {
        Objects.requireNonNull(text, "text");
        List<LabeledSpan> sorted = new ArrayList<>(List.copyOf(spans));
        for (LabeledSpan s : sorted) {
            if (s.end() > text.length()) {
                throw new IllegalArgumentException("span [" + s.start() + ", " + s.end()
                        + ") lies outside the demonstration text of length " + text.length() + ": " + text);
            }
        }
        sorted.sort(Comparator.comparingInt(LabeledSpan::start).thenComparingInt(LabeledSpan::end));
        spans = List.copyOf(sorted);
    }

    /**
     * @param span one of this demonstration's spans
     * @return the text the span covers
     */
    public String surface(LabeledSpan span) {
        return text.substring(span.start(), span.end());
    }
}
