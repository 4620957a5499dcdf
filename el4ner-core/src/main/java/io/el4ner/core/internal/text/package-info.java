/**
 * Text handling: anchoring answer strings to their occurrences on token boundaries, splitting texts into sentences
 * and long sentences into overlapping windows. Not exported; nothing here is API.
 */
package io.el4ner.core.internal.text;
