/**
 * Measuring a configuration: reading CoNLL-style datasets and tagging schemes, entity-level scoring
 * (conlleval-compatible and strict, with bootstrap intervals), resumable evaluation runs
 * ({@link io.el4ner.eval.EvaluationRun}) and their reports with the paper's ablations
 * ({@link io.el4ner.eval.EvaluationReport}), prediction files, and {@link io.el4ner.eval.RecordReplayMember}.
 */
package io.el4ner.eval;
