package io.el4ner.api;

/**
 * A permanent backend failure (rejected credentials, unknown model, malformed request, HTTP 400/401/403/404):
 * repeating the call will fail the same way until the configuration changes.
 *
 * @since 0.1
 */
public class NonRetriableBackendException extends ModelMemberException {
    private static final long serialVersionUID = 1L;

    /**
     * @param memberName the failing member's name
     * @param message what went wrong and what to fix; never include a secret
     */
    public NonRetriableBackendException(String memberName, String message) {
        super(memberName, message);
    }

    /**
     * @param memberName the failing member's name
     * @param message what went wrong and what to fix; never include a secret
     * @param cause the underlying failure
     */
    public NonRetriableBackendException(String memberName, String message, Throwable cause) {
        super(memberName, message, cause);
    }
}
