package io.el4ner.api.spi;

import java.util.List;

/**
 * Keeps or drops typed entities (the EL4NER self-validation stage, or a rule of your own). Thread-safe.
 *
 * @since 0.1
 */
public interface Validator extends AutoCloseable {
    /**
     * @param request the entities of one sentence
     * @return one verdict per entity of the request, in the same order
     */
    List<Verdict> validate(ValidationRequest request);

    /** Releases resources. May be called more than once. */
    @Override
    default void close() {
    }
}
