package io.el4ner.api;

/**
 * A member did not answer within its deadline. Retriable: a later call may be faster.
 *
 * @since 0.1
 */
public class MemberTimeoutException extends RetriableBackendException {
    private static final long serialVersionUID = 1L;

    /**
     * @param memberName the member that timed out
     * @param message how long was waited
     */
    public MemberTimeoutException(String memberName, String message) {
        super(memberName, message);
    }
}
