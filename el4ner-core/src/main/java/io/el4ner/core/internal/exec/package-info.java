/**
 * Running things: calling members concurrently within deadlines, the call ledger of usage and diagnostics, the
 * engine's thread pools (all of daemon threads), progress reports and batches. Not exported; nothing here is API.
 */
package io.el4ner.core.internal.exec;
