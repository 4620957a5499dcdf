package io.el4ner.core;

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
 * A test double that answers from a script, per stage. It records every request it gets. Usage is reported as
 * characters / 4, so accounting can be checked.
 */
public final class ScriptedMember implements ModelMember {
    private final String name;
    private final Map<Stage, Function<ChatRequest, String>> script = new EnumMap<>(Stage.class);
    private final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile long delayMillis;
    private volatile int contextTokens = 4096;
    private volatile boolean closed;
    private final java.util.concurrent.CountDownLatch interrupted = new java.util.concurrent.CountDownLatch(1);

    public ScriptedMember(String name) {
        this.name = name;
    }

    public ScriptedMember on(Stage stage, String answer) {
        script.put(stage, r -> answer);
        return this;
    }

    public ScriptedMember on(Stage stage, Function<ChatRequest, String> answer) {
        script.put(stage, answer);
        return this;
    }

    /** Same answer for pre-extraction and extraction. */
    ScriptedMember extracts(String answer) {
        return on(Stage.PRE_EXTRACTION, answer).on(Stage.EXTRACTION, answer);
    }

    /** Same scripted answer for pre-extraction and extraction. */
    ScriptedMember extracts(Function<ChatRequest, String> answer) {
        return on(Stage.PRE_EXTRACTION, answer).on(Stage.EXTRACTION, answer);
    }

    ScriptedMember delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    ScriptedMember context(int tokens) {
        this.contextTokens = tokens;
        return this;
    }

    public List<ChatRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    long calls(Stage stage) {
        return requests().stream().filter(r -> r.context().stage() == stage).count();
    }

    /** @return whether a call was interrupted within the wait */
    boolean awaitInterrupt(long millis) throws InterruptedException {
        return interrupted.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    boolean closed() {
        return closed;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int contextTokens() {
        return contextTokens;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        requests.add(request);
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
        Function<ChatRequest, String> f = script.get(request.context().stage());
        if (f == null) {
            throw new IllegalStateException(name + " has no script for " + request.context().stage());
        }
        String text = f.apply(request);
        return ChatResponse.of(text, TokenUsage.of(request.promptText().length() / 4, text.length() / 4));
    }

    @Override
    public void close() {
        closed = true;
    }
}
