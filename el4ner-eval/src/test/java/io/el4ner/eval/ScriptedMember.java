package io.el4ner.eval;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Stage;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A test double that answers from a script, per stage, and records every request it gets; usage is reported as
 * characters / 4. The evaluation tests' slice of el4ner-core's test double of the same name.
 */
final class ScriptedMember implements ModelMember {
    private final String name;
    private final Map<Stage, Function<ChatRequest, String>> script = new EnumMap<>(Stage.class);
    private final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());

    ScriptedMember(String name) {
        this.name = name;
    }

    ScriptedMember on(Stage stage, Function<ChatRequest, String> answer) {
        script.put(stage, answer);
        return this;
    }

    /** Same answer for pre-extraction and extraction. */
    ScriptedMember extracts(String answer) {
        return on(Stage.PRE_EXTRACTION, r -> answer).on(Stage.EXTRACTION, r -> answer);
    }

    List<ChatRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        requests.add(request);
        Function<ChatRequest, String> f = script.get(request.context().stage());
        if (f == null) {
            throw new IllegalStateException(name + " has no script for " + request.context().stage());
        }
        String text = f.apply(request);
        return ChatResponse.of(text, TokenUsage.of(request.promptText().length() / 4, text.length() / 4));
    }
}
