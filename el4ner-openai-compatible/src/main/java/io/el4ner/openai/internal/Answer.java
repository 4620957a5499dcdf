package io.el4ner.openai.internal;

import io.el4ner.api.TokenUsage;

/**
 * What one successful HTTP exchange produced.
 *
 * @param text the generated text ({@code ""} when the server sent none)
 * @param usage the tokens, or {@link TokenUsage#UNREPORTED}
 * @param model the model name the server gave, or {@code ""}
 * @param finishReason why generation stopped, as the server said, or {@code ""}
 */
public record Answer(String text, TokenUsage usage, String model, String finishReason) {
}
