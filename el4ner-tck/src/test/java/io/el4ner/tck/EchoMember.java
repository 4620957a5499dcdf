package io.el4ner.tck;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import java.time.Duration;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A reference member that needs no model: it answers with the capitalised words of the request's sentence as JSON,
 * counts tokens as four characters each, and can be told to fail or to be slow.
 */
final class EchoMember implements ModelMember {
    /** How the member behaves. */
    enum Mode {
        /** Answers at once. */
        OK,
        /** Fails as a backend rejecting the API key would. */
        FAIL,
        /** Answers after {@code delay}, or times out after {@code timeout} if that is shorter. */
        SLOW
    }

    private final String name;
    private final Mode mode;
    private final Duration delay;
    private final Duration timeout;
    private final String apiKey;
    private final AtomicBoolean closed = new AtomicBoolean();

    EchoMember(String name, Mode mode, Duration delay, Duration timeout, String apiKey) {
        this.name = Objects.requireNonNull(name, "name");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.delay = Objects.requireNonNull(delay, "delay");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    }

    static EchoMember ok(String name) {
        return new EchoMember(name, Mode.OK, Duration.ZERO, Duration.ofSeconds(10), "");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        if (closed.get()) {
            throw new NonRetriableBackendException(name, "member is closed");
        }
        switch (mode) {
            case FAIL:
                throw new NonRetriableBackendException(name,
                        "backend rejected the API key (HTTP 401); check the apiKey parameter");
            case SLOW:
                sleep(delay.compareTo(timeout) < 0 ? delay : timeout);
                if (delay.compareTo(timeout) >= 0) {
                    throw new MemberTimeoutException(name, "no answer within " + timeout.toMillis() + " ms");
                }
                break;
            default:
                break;
        }
        String text = answer(request.context().sentence());
        return new ChatResponse(text, TokenUsage.of(tokens(request.promptText()), tokens(text)), "echo");
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableBackendException(name, "interrupted while waiting for the backend", e);
        }
    }

    private static String answer(String sentence) {
        StringJoiner entities = new StringJoiner(", ", "{\"entities\": [", "]}");
        for (String word : sentence.split("[^\\p{L}]+")) {
            if (!word.isEmpty() && Character.isUpperCase(word.charAt(0))) {
                entities.add('"' + word + '"');
            }
        }
        return entities.toString();
    }

    private static long tokens(String text) {
        return (text.length() + 3) / 4;
    }

    @Override
    public int estimateTokens(String text) {
        return (int) tokens(text);
    }

    @Override
    public void close() {
        closed.set(true);
    }

    @Override
    public String toString() {
        return "EchoMember[" + name + ", " + mode + (apiKey.isEmpty() ? "" : ", apiKey=****") + "]";
    }
}
