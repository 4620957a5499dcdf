package io.el4ner.onnx;

/**
 * The member contract on tiny-mha (multi-head attention, tied embeddings); the failing member's KV cache budget is
 * too small for any request.
 */
class TinyMhaMemberContractTest extends DecoderMemberContractKit {
    @Override
    String fixture() {
        return DecoderFixtures.MHA;
    }

    @Override
    OnnxDecoderMember failing() {
        return OnnxDecoderMember.builder().directory(DecoderFixtures.dir(fixture())).kvCacheBytes(1024).build();
    }
}
