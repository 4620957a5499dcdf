package io.el4ner.cli;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Stage;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Test double, registered only in the test class path as provider {@code scripted}. Parameters:
 * {@code name} (required); {@code answers}: stage ({@code pre_extraction}, {@code extraction},
 * {@code classification}, {@code validation}) to answer text, pre-extraction falling back to extraction;
 * {@code fail}: throw in every call, with {@code failMessage}; {@code leakOnCreate}: refuse to be created with a
 * message that (wrongly) contains {@code apiKey}; {@code apiKey}: ignored otherwise; {@code delayMillis}: sleep
 * that long in every call. Every answer reports 10 prompt and 5 completion tokens.
 */
public final class ScriptedMemberProvider implements ModelMemberProvider {
    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public ModelMember create(ComponentConfig config) {
        config.requireOnly(Set.of("name", "answers", "fail", "failMessage", "leakOnCreate", "apiKey",
                "delayMillis"));
        String name = config.requireString("name");
        if (config.bool("leakOnCreate", false)) {
            throw new El4nerConfigurationException(config.component() + ": the server refused api key "
                    + config.string("apiKey").orElse("?"));
        }
        Object answers = config.parameters().getOrDefault("answers", Map.of());
        if (!(answers instanceof Map<?, ?> table)) {
            throw new El4nerConfigurationException(config.component() + ": 'answers' must be an object");
        }
        boolean fail = config.bool("fail", false);
        String failMessage = config.string("failMessage").orElse("scripted failure");
        int delayMillis = config.integer("delayMillis", 0);
        return new ModelMember() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ChatResponse chat(ChatRequest request) {
                if (delayMillis > 0) {
                    try {
                        Thread.sleep(delayMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (fail) {
                    throw new NonRetriableBackendException(name, failMessage);
                }
                Stage stage = request.context().stage();
                Object answer = table.get(stage.name().toLowerCase(Locale.ROOT));
                if (answer == null && stage == Stage.PRE_EXTRACTION) {
                    answer = table.get("extraction");
                }
                if (answer == null) {
                    throw new NonRetriableBackendException(name, "no scripted answer for stage " + stage);
                }
                return ChatResponse.of(String.valueOf(answer), TokenUsage.of(10, 5));
            }
        };
    }
}
