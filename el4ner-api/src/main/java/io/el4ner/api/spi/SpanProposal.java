package io.el4ner.api.spi;

import java.util.List;

/**
 * An occurrence of a span in a sentence and the members whose extraction answer contained it.
 *
 * @param start first UTF-16 index in the sentence, inclusive
 * @param end last index, exclusive
 * @param text the covered text
 * @param proposedBy the members that proposed it, in ensemble order
 * @since 0.1
 */
public record SpanProposal(int start, int end, String text, List<String> proposedBy) {
    /** Copies the components. */
    public SpanProposal {
        proposedBy = List.copyOf(proposedBy);
    }
}
