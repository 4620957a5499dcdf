package io.el4ner.api;

import java.util.Objects;

/**
 * A member's answer to one {@link ChatRequest}.
 *
 * @param text the generated text, unparsed
 * @param usage the tokens the call consumed ({@link TokenUsage#UNREPORTED} when unknown)
 * @param model the model that answered as the backend names it; empty when unknown
 * @param truncation empty when the answer is whole; otherwise what cut it short and what was done about it (say,
 *     "the answer reached its limit of 256 tokens before its JSON closed; closed after the last whole item"), which
 *     el4ner reports as a {@link Diagnostic.Kind#TRUNCATED_ANSWER} diagnostic. Never the answer's text itself.
 * @since 0.1
 */
public record ChatResponse(String text, TokenUsage usage, String model, String truncation) {
    /** Validates the components. */
    public ChatResponse {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(truncation, "truncation");
    }

    /**
     * A whole answer.
     *
     * @param text the generated text
     * @param usage the tokens consumed
     * @param model the model that answered; empty when unknown
     */
    public ChatResponse(String text, TokenUsage usage, String model) {
        this(text, usage, model, "");
    }

    /**
     * @param text the generated text
     * @param usage the tokens consumed
     * @return a whole response with no model name
     */
    public static ChatResponse of(String text, TokenUsage usage) {
        return new ChatResponse(text, usage, "");
    }

    /** @return whether the answer was cut short ({@link #truncation()} says how) */
    public boolean truncated() {
        return !truncation.isEmpty();
    }
}
