/** The evaluation members and their providers, and the JSON Lines journal they share. Not exported; nothing here is API. */
package io.el4ner.eval.internal;
