package io.el4ner.api;

import java.util.Objects;

/**
 * A member's answer to one {@link ChatRequest}.
 *
 * @param text the generated text, unparsed
 * @param usage the tokens the call consumed ({@link TokenUsage#UNREPORTED} when unknown)
 * @param model the model that answered as the backend names it; empty when unknown
 * @since 0.1
 */
public record ChatResponse(String text, TokenUsage usage, String model) {
    /** Validates the components. */
    public ChatResponse {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(model, "model");
    }

    /**
     * @param text the generated text
     * @param usage the tokens consumed
     * @return a response with no model name
     */
    public static ChatResponse of(String text, TokenUsage usage) {
        return new ChatResponse(text, usage, "");
    }
}
