/**
 * ONNX Runtime sentence encoder for el4ner: {@link io.el4ner.onnx.OnnxSentenceEncoder} runs any Hugging Face
 * sentence-transformers ONNX export (all-MiniLM-L6-v2 quantized by default) and is registered as the
 * {@code onnx-sentence} {@link io.el4ner.api.spi.SentenceEncoderProvider}.
 */
module io.el4ner.onnx {
    requires transitive io.el4ner.api;
    requires com.microsoft.onnxruntime;
    requires ai.djl.tokenizers;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;

    exports io.el4ner.onnx;

    provides io.el4ner.api.spi.SentenceEncoderProvider with io.el4ner.onnx.internal.OnnxSentenceEncoderProvider;
}
