package io.el4ner.api;

/**
 * A transient backend failure (timeout, overload, HTTP 408/429/5xx, a reset connection): the same call may
 * succeed later.
 *
 * @since 0.1
 */
public class RetriableBackendException extends ModelMemberException {
    private static final long serialVersionUID = 1L;

    /**
     * @param memberName the failing member's name
     * @param message what went wrong; never include a secret
     */
    public RetriableBackendException(String memberName, String message) {
        super(memberName, message);
    }

    /**
     * @param memberName the failing member's name
     * @param message what went wrong; never include a secret
     * @param cause the underlying failure
     */
    public RetriableBackendException(String memberName, String message, Throwable cause) {
        super(memberName, message, cause);
    }

    @Override
    public boolean isRetriable() {
        return true;
    }
}
