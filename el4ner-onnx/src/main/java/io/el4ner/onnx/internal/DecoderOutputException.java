package io.el4ner.onnx.internal;

import io.el4ner.api.El4nerException;

/**
 * A decoder model produced something it must not: an output of the wrong shape or type, or logits that are not
 * numbers. The member turns it into a {@link io.el4ner.api.NonRetriableBackendException} naming the model.
 */
public final class DecoderOutputException extends El4nerException {
    private static final long serialVersionUID = 1L;

    /** @param message what the model produced and what was expected */
    public DecoderOutputException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public DecoderOutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
