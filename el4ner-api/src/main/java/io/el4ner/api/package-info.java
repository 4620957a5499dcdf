/**
 * Immutable values exchanged by el4ner: entity types, demonstrations, chat requests and responses, results
 * with provenance, diagnostics and usage accounting, and the exception tree rooted at
 * {@link io.el4ner.api.El4nerException}. All records reject {@code null} components with a
 * {@link java.lang.NullPointerException} and copy their collections.
 */
package io.el4ner.api;
