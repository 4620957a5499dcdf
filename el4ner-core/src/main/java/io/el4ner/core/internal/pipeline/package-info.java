/**
 * The EL4NER pipeline: {@link io.el4ner.core.internal.pipeline.Pipeline} runs one class per stage in order
 * (pre-extraction, retrieval, extraction, classification, validation, overlap resolution), each owning its
 * prompt, its reading of the answers and its part of the trace; {@link io.el4ner.core.internal.pipeline.TextRecognizer}
 * runs the pipeline over the sentences and windows of a whole text. Not exported; nothing here is API.
 */
package io.el4ner.core.internal.pipeline;
