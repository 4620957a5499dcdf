package io.el4ner.openai.internal;

import io.el4ner.tck.ModelMemberProviderContractTest;
import java.util.Map;
import java.util.Optional;

/** The el4ner-tck provider contract: ServiceLoader finds {@code openai-compatible}; bad parameters are named. */
class OpenAiCompatibleMemberProviderContractTest extends ModelMemberProviderContractTest {
    @Override
    protected String providerName() {
        return "openai-compatible";
    }

    @Override
    protected Map<String, Object> validParameters() {
        return Map.of("name", "tck", "baseUrl", "http://127.0.0.1:9/v1", "model", "Qwen/Qwen2.5-7B-Instruct");
    }

    @Override
    protected Optional<String> requiredParameter() {
        return Optional.of("model");
    }
}
