package io.el4ner.core.internal.pipeline;

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
 * A test double for one stage at a time: answers from a script per stage, fails on a stage it has no script for,
 * and records the requests it got.
 */
final class StageMember implements ModelMember {
    private final String name;
    private final Map<Stage, Function<ChatRequest, String>> script = new EnumMap<>(Stage.class);
    private final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());

    StageMember(String name) {
        this.name = name;
    }

    StageMember on(Stage stage, String answer) {
        return on(stage, r -> answer);
    }

    StageMember on(Stage stage, Function<ChatRequest, String> answer) {
        script.put(stage, answer);
        return this;
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
        return ChatResponse.of(text, TokenUsage.of(1, 1));
    }
}
