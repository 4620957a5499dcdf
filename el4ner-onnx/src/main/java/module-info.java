/**
 * ONNX Runtime members and sentence encoder for el4ner. This release ships no classes: the in-process members
 * and the encoder behind span-level retrieval arrive in a later release. The module exists so that its
 * coordinates and module name are stable.
 */
module io.el4ner.onnx {
    requires io.el4ner.api;
}
