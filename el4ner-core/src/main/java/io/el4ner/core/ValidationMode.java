package io.el4ner.core;

/**
 * Who validates the typed entities (EL4NER's self-validation stage).
 *
 * @since 0.1
 */
public enum ValidationMode {
    /** No validation: every typed entity is kept. */
    NONE,
    /** One verifier member decides (the paper's main setting; the default verifier is the first member). */
    SINGLE,
    /** Every member judges; an entity stays unless more members reject it than accept it. */
    MAJORITY,
    /** Every member judges; an entity stays only if no member that answered rejects it. */
    UNANIMOUS
}
