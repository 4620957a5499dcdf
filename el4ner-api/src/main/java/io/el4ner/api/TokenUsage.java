package io.el4ner.api;

/**
 * Tokens one call consumed, as the backend reported them.
 *
 * @param promptTokens tokens of the prompt, {@code >= 0}
 * @param completionTokens tokens generated, {@code >= 0}
 * @param reported whether the backend reported the counts; when false both counts are 0 and mean "unknown"
 * @since 0.1
 */
public record TokenUsage(long promptTokens, long completionTokens, boolean reported) {
    /** Usage a backend did not report. */
    public static final TokenUsage UNREPORTED = new TokenUsage(0, 0, false);

    /** Validates the components. */
    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException(
                    "token counts must be >= 0, got " + promptTokens + " and " + completionTokens);
        }
        if (!reported && (promptTokens != 0 || completionTokens != 0)) {
            throw new IllegalArgumentException("unreported usage must have zero counts");
        }
    }

    /**
     * @param promptTokens tokens of the prompt
     * @param completionTokens tokens generated
     * @return reported usage
     */
    public static TokenUsage of(long promptTokens, long completionTokens) {
        return new TokenUsage(promptTokens, completionTokens, true);
    }

    /** @return prompt plus completion tokens */
    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
