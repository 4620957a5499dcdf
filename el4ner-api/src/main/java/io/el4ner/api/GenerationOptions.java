package io.el4ner.api;

/**
 * Decoding settings for one call. el4ner asks for greedy decoding (temperature 0) by default, as the method
 * assumes.
 *
 * @param temperature sampling temperature, {@code >= 0}
 * @param maxTokens most tokens to generate, {@code > 0}
 * @param jsonOutput whether the prompt asks for a JSON answer (a member may enable its server's JSON mode)
 * @since 0.1
 */
public record GenerationOptions(double temperature, int maxTokens, boolean jsonOutput) {
    /** Validates the components. */
    public GenerationOptions {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be > 0, got " + maxTokens);
        }
    }

    /**
     * @param maxTokens most tokens to generate
     * @return greedy decoding with a JSON answer
     */
    public static GenerationOptions greedyJson(int maxTokens) {
        return new GenerationOptions(0.0, maxTokens, true);
    }
}
