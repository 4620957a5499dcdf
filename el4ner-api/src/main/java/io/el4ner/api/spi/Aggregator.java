package io.el4ner.api.spi;

import java.util.List;
import java.util.Map;

/**
 * Combines the members' answers: which extracted spans to keep (union or quorum, for recall) and which label a
 * span gets (a vote, for precision). Must be deterministic: the same inputs give the same outputs whatever
 * order the members finished in. Thread-safe.
 *
 * @since 0.1
 */
public interface Aggregator extends AutoCloseable {
    /**
     * Selects the extraction candidates.
     *
     * @param proposals every span occurrence some member proposed, sorted by offset
     * @param answered the names of the members that answered the extraction stage, in ensemble order
     * @return the proposals to classify, in the given order
     */
    List<SpanProposal> selectSpans(List<SpanProposal> proposals, List<String> answered);

    /**
     * Decides the label of one span.
     *
     * @param span the span text
     * @param labels each answering member's label (a type name or {@code NONE}), keyed by member name
     * @param memberOrder every member's name in ensemble order (for deterministic tie-breaks)
     * @return the decision; its label is {@code NONE} when the span is not an entity
     */
    LabelDecision vote(String span, Map<String, String> labels, List<String> memberOrder);

    /** Releases resources. May be called more than once. */
    @Override
    default void close() {
    }
}
