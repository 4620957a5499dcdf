package io.el4ner.eval;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test provider {@code test-fixed}: a member that extracts the JSON of its {@code entities} parameter and types
 * Paris as LOC, for the tests of providers that wrap another provider ({@code record-replay}).
 */
public final class FixedMemberProvider implements ModelMemberProvider {
    @Override
    public String name() {
        return "test-fixed";
    }

    @Override
    public ModelMember create(ComponentConfig config) {
        config.requireOnly(Set.of("name", "entities"));
        String name = config.requireString("name");
        String entities = config.string("entities").orElse("[]");
        return new ModelMember() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ChatResponse chat(ChatRequest request) {
                String text = switch (request.context().stage()) {
                    case PRE_EXTRACTION, EXTRACTION -> entities;
                    case CLASSIFICATION -> Scripts.labelsFrom(request, Map.of("Paris", "LOC"));
                    case VALIDATION -> Scripts.verdicts(request, List.of());
                };
                return ChatResponse.of(text, TokenUsage.UNREPORTED);
            }
        };
    }
}
