package io.el4ner.api.spi;

import io.el4ner.api.Demonstration;
import java.util.List;

/**
 * Picks the in-context demonstrations for a sentence from a labelled pool. Thread-safe.
 *
 * @since 0.1
 */
public interface Retriever extends AutoCloseable {
    /**
     * @param sentence the sentence to recognise
     * @param spans the spans the members pre-extracted from it (zero-shot); may be empty
     * @param k how many demonstrations to return at most
     * @return at most {@code k} demonstrations, best first, never the sentence itself; deterministic for equal
     *     inputs
     */
    List<Demonstration> retrieve(String sentence, List<String> spans, int k);

    /** Releases resources. May be called more than once. */
    @Override
    default void close() {
    }
}
