package io.el4ner.api;

/**
 * A configuration that cannot work: an unknown or ambiguous provider name, a missing or malformed parameter, an
 * impossible combination of options. The message names what to fix and, where there is a choice, lists the
 * alternatives.
 *
 * @since 0.1
 */
public class El4nerConfigurationException extends El4nerException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and how to fix it */
    public El4nerConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and how to fix it
     * @param cause the underlying failure
     */
    public El4nerConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
