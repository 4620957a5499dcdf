package io.el4ner.api.spi;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;

/**
 * One LLM of the ensemble: a chat request in, generated text and token usage out.
 *
 * <p>Implementations must be thread-safe: el4ner calls {@link #chat} concurrently from several threads. A
 * failure is reported by throwing a {@link io.el4ner.api.ModelMemberException}: a
 * {@link io.el4ner.api.RetriableBackendException} for transient failures, a
 * {@link io.el4ner.api.NonRetriableBackendException} for permanent ones. Any other runtime exception is treated
 * as a non-retriable failure of this member. Messages must never contain secrets.
 *
 * <p>Ownership: an {@code EnsembleNer} closes members it created through a {@link ModelMemberProvider}, never
 * instances passed to its builder.
 *
 * @since 0.1
 */
public interface ModelMember extends AutoCloseable {
    /** @return the member's name, unique within an ensemble; stable across runs (it keys caches and reports) */
    String name();

    /**
     * Answers one request. Called concurrently.
     *
     * @param request the prompt and its structured context
     * @return the generated text and the tokens used
     * @throws io.el4ner.api.ModelMemberException when the backend fails
     */
    ChatResponse chat(ChatRequest request);

    /**
     * The size of the model's context window. el4ner splits sentences that would not fit into windows.
     *
     * @return context window size in tokens; default 4096
     */
    default int contextTokens() {
        return 4096;
    }

    /**
     * Estimates how many tokens the model's tokenizer makes of a text. The default assumes three characters per
     * token, which over-estimates for English and so errs on the safe side; members that have their tokenizer
     * should count exactly.
     *
     * @param text any text
     * @return the estimated token count
     */
    default int estimateTokens(String text) {
        return (text.length() + 2) / 3;
    }

    /** Releases the member's resources. May be called more than once. */
    @Override
    default void close() {
    }
}
