/**
 * The built-in components and their providers: the {@code voting} aggregator, the {@code self} validator and the
 * {@code token-overlap} retriever. Not exported; nothing here is API.
 */
package io.el4ner.core.internal.builtin;
