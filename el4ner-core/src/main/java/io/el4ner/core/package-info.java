/**
 * The entry point: {@link io.el4ner.core.EnsembleNer#builder()} configures and builds an immutable, thread-safe
 * ensemble recogniser.
 */
package io.el4ner.core;
