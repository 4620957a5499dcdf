package io.el4ner.onnx;

import io.el4ner.tck.ModelMemberProviderContractTest;
import java.util.Map;
import java.util.Optional;

/** The el4ner-tck provider contract: ServiceLoader finds {@code onnx}; bad parameters are named. */
class OnnxDecoderMemberProviderContractTest extends ModelMemberProviderContractTest {
    @Override
    protected String providerName() {
        return "onnx";
    }

    @Override
    protected Map<String, Object> validParameters() {
        return Map.of("name", "tck", "directory", DecoderFixtures.dir(DecoderFixtures.GQA).toString());
    }

    @Override
    protected Optional<String> requiredParameter() {
        return Optional.of("directory");
    }
}
