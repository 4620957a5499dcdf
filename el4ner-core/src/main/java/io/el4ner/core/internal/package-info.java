/**
 * el4ner's engine behind {@link io.el4ner.core.EnsembleNer}, one package per concern: {@code pipeline} (the stages
 * and the text-level run), {@code llm} (prompts and reading answers), {@code text} (anchoring, sentences, windows),
 * {@code exec} (member calls, accounting, thread pools, batches), {@code builtin} (the built-in aggregator,
 * validator and retriever with their providers), {@code retrieval} (span-level retrieval) and {@code assembly}
 * (turning the builder's settings into components). This package holds the provider lookup they share. Not
 * exported; nothing here is API.
 */
package io.el4ner.core.internal;
