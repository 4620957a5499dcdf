/**
 * The ONNX Runtime sentence encoder: {@link io.el4ner.onnx.OnnxSentenceEncoder#builder()} loads a Hugging Face
 * sentence-transformers ONNX export (the bundled all-MiniLM-L6-v2 quantized model by default) and turns texts
 * and spans into L2-normalised mean-pooled vectors. The same encoder is found by name, {@code onnx-sentence},
 * through {@link io.el4ner.api.spi.SentenceEncoderProvider}. The in-process LLM member:
 * {@link io.el4ner.onnx.OnnxDecoderMember#builder()} loads a decoder-only instruct model (Qwen2.5, Llama-3.2,
 * SmolLM2, Phi-3.5 exported by optimum / onnx-community) from a local folder and decodes with a KV cache, batching
 * and prefix reuse; it is found by name, {@code onnx}, through {@link io.el4ner.api.spi.ModelMemberProvider}.
 */
package io.el4ner.onnx;
