/**
 * Measuring a configuration: reading and writing CoNLL-style datasets and predictions, tagging schemes, and
 * entity-level scoring (conlleval-compatible and strict).
 */
package io.el4ner.eval;
