package io.el4ner.core.internal.retrieval;

/**
 * The weight {@code w(s)} of an input span in SpanSim: how much its best match counts in the weighted mean. The
 * paper weights spans by part of speech; the reference implementation gives proper nouns 4, common nouns 2,
 * pronouns 1 and everything else 0. Implementations are thread-safe and deterministic.
 *
 * @see EnglishSpanWeigher the default
 */
@FunctionalInterface
public interface SpanWeigher {
    /**
     * @param span an input span, as pre-extracted (not blank)
     * @return its weight, finite and {@code >= 0}; 0 leaves the span out
     */
    double weight(String span);
}
