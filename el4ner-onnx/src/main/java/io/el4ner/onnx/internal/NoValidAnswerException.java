package io.el4ner.onnx.internal;

import io.el4ner.api.El4nerException;

/**
 * Constrained decoding cannot go on: no answer the contract allows can be written with the tokenizer's tokens (or,
 * should it ever happen, no token can continue the answer so far). The member turns it into a
 * {@link io.el4ner.api.NonRetriableBackendException} naming the model: asking again cannot help.
 */
public final class NoValidAnswerException extends El4nerException {
    private static final long serialVersionUID = 1L;

    /** @param message what cannot be written and why */
    public NoValidAnswerException(String message) {
        super(message);
    }
}
