/**
 * The ONNX Runtime sentence encoder: {@link io.el4ner.onnx.OnnxSentenceEncoder#builder()} loads a Hugging Face
 * sentence-transformers ONNX export (the bundled all-MiniLM-L6-v2 quantized model by default) and turns texts
 * and spans into L2-normalised mean-pooled vectors. The same encoder is found by name, {@code onnx-sentence},
 * through {@link io.el4ner.api.spi.SentenceEncoderProvider}.
 */
package io.el4ner.onnx;
