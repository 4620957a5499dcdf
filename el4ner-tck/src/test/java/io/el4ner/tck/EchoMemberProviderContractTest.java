package io.el4ner.tck;

import java.util.Map;
import java.util.Optional;

class EchoMemberProviderContractTest extends ModelMemberProviderContractTest {
    @Override
    protected String providerName() {
        return "echo";
    }

    @Override
    protected Map<String, Object> validParameters() {
        return Map.of("name", "echo-1", "model", "echo-small", "apiKey", "sk-tck-0123456789abcdef");
    }

    @Override
    protected Optional<String> requiredParameter() {
        return Optional.of("model");
    }
}
