package io.el4ner.api;

import java.util.Objects;

/**
 * A failure of one ensemble member. Whether the same call could succeed later is told by the subclasses
 * {@link RetriableBackendException} and {@link NonRetriableBackendException}; a plain
 * {@code ModelMemberException} is treated as not retriable.
 *
 * @since 0.1
 */
public class ModelMemberException extends El4nerException {
    private static final long serialVersionUID = 1L;
    private final String memberName;

    /**
     * @param memberName the failing member's name
     * @param message what went wrong; never include an API key or other secret
     */
    public ModelMemberException(String memberName, String message) {
        super(message);
        this.memberName = Objects.requireNonNull(memberName, "memberName");
    }

    /**
     * @param memberName the failing member's name
     * @param message what went wrong; never include an API key or other secret
     * @param cause the underlying failure
     */
    public ModelMemberException(String memberName, String message, Throwable cause) {
        super(message, cause);
        this.memberName = Objects.requireNonNull(memberName, "memberName");
    }

    /** @return the name of the member that failed */
    public String memberName() {
        return memberName;
    }

    /** @return whether repeating the same call later may succeed */
    public boolean isRetriable() {
        return false;
    }
}
