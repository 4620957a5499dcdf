/**
 * Talking to the models: the prompts, reading what small models really answer (JSON found in prose, its common
 * shapes, line formats), the label normalisation, and writing answers in the prompts' shapes for members that answer
 * without a model. Not exported; nothing here is API.
 */
package io.el4ner.core.internal.llm;
