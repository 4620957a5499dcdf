package io.el4ner.api;

/**
 * The root of every exception el4ner throws on purpose; catch this one to handle them all. It is unchecked so
 * that it flows through lambdas and executors. Programming errors keep the JDK's types
 * ({@link IllegalArgumentException}, {@link NullPointerException}, {@link IllegalStateException}).
 *
 * @since 0.1
 */
public class El4nerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong and, where possible, what to do about it */
    public El4nerException(String message) {
        super(Redaction.redact(message));
    }

    /**
     * @param message what went wrong and, where possible, what to do about it
     * @param cause the underlying failure
     */
    public El4nerException(String message, Throwable cause) {
        super(Redaction.redact(message), cause);
    }

    /**
     * @return the message, with every secret {@linkplain Redaction registered} by now masked (it was redacted when
     *         the exception was made, too)
     */
    @Override
    public String getMessage() {
        return Redaction.redact(super.getMessage());
    }
}
