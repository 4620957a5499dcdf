package io.el4ner.hub;

import io.el4ner.api.El4nerException;

import java.util.Objects;

/**
 * Why a file could not be had from the Hub or the cache. The message names the repository, the revision, the file
 * and, where it matters, the URL and the cache directory, and says what to do; it never holds the token.
 *
 * @since 0.1
 */
public class HubException extends El4nerException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, by what the caller can do about it. */
    public enum Reason {
        /** The repository does not exist, or is private and the token (if any) cannot see it. */
        REPO_NOT_FOUND,
        /** The repository has no such branch, tag or commit. */
        REVISION_NOT_FOUND,
        /** The revision has no such file. */
        FILE_NOT_FOUND,
        /** The repository is gated or private: a token ({@code HF_TOKEN}) with access is needed. */
        TOKEN_NEEDED,
        /** Offline ({@code HF_HUB_OFFLINE}) and the file is not in the cache. */
        NOT_IN_CACHE,
        /** The Hub could not be reached, or kept failing, after the retries. */
        UNREACHABLE,
        /** What was downloaded does not match its checksum or size, even after downloading it again. */
        CORRUPT,
        /** The cache could not be written or read (a full disk, permissions). */
        STORAGE,
        /** The server answered something a Hub does not (missing or malformed headers, an unexpected status). */
        PROTOCOL
    }

    private final Reason reason;

    /**
     * @param reason what went wrong
     * @param message what went wrong and what to do about it
     */
    public HubException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * @param reason what went wrong
     * @param message what went wrong and what to do about it
     * @param cause the underlying failure
     */
    public HubException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return what went wrong, by what the caller can do about it */
    public Reason reason() {
        return reason;
    }
}
