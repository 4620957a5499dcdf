package io.el4ner.api;

/**
 * The stages of the EL4NER pipeline, in the order they run.
 *
 * @since 0.1
 */
public enum Stage {
    /** (a) Zero-shot span extraction by every member; union. Its spans drive demonstration retrieval. */
    PRE_EXTRACTION,
    /** (c) Few-shot span extraction by every member; union or m-of-n quorum. */
    EXTRACTION,
    /** (d) Every member types all candidate spans of a sentence in one call; weighted vote. */
    CLASSIFICATION,
    /** (e) Typed entities are kept or dropped by the validator. */
    VALIDATION
}
