/**
 * ONNX Runtime for el4ner, in-process: {@link io.el4ner.onnx.OnnxSentenceEncoder} runs any Hugging Face
 * sentence-transformers ONNX export (all-MiniLM-L6-v2 quantized by default) and is registered as the
 * {@code onnx-sentence} {@link io.el4ner.api.spi.SentenceEncoderProvider}; {@link io.el4ner.onnx.OnnxDecoderMember}
 * runs a small instruct model (a decoder export in the optimum / onnx-community layout) as an ensemble member and
 * is registered as the {@code onnx} {@link io.el4ner.api.spi.ModelMemberProvider}.
 */
module io.el4ner.onnx {
    requires transitive io.el4ner.api;
    // 'repo' of the onnx member: model files from the Hugging Face Hub, through the Hugging Face cache
    requires io.el4ner.hub;
    requires com.microsoft.onnxruntime;
    requires ai.djl.tokenizers;
    requires org.slf4j;
    // HotSpotDiagnosticMXBean: the direct memory limit the decoder member's KV cache must fit in
    requires jdk.management;
    requires com.fasterxml.jackson.databind;
    requires jinjava;
    // jinjava is an automatic module: it reads every module but makes none resolve. These explicit modules that it
    // uses are required here so that they are resolved when el4ner runs on the module path.
    requires org.apache.commons.lang3;
    requires com.fasterxml.jackson.datatype.jdk8;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports io.el4ner.onnx;
    // jinjava calls ChatTemplate.raiseException (a chat template's raise_exception) reflectively
    exports io.el4ner.onnx.internal to jinjava;

    provides io.el4ner.api.spi.SentenceEncoderProvider with io.el4ner.onnx.internal.OnnxSentenceEncoderProvider;
    provides io.el4ner.api.spi.ModelMemberProvider with io.el4ner.onnx.internal.OnnxDecoderMemberProvider;
}
