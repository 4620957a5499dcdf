package io.el4ner.openai.internal;

import java.io.IOException;

/** A response body longer than the configured limit; reading stopped at the limit. */
final class ResponseTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long limit;

    /**
     * @param limit the limit in bytes
     * @param seen the bytes announced or received when reading stopped
     */
    public ResponseTooLargeException(long limit, long seen) {
        super("the response body exceeds the limit of " + limit + " bytes (" + seen + " bytes announced or read)");
        this.limit = limit;
    }

    /** @return the limit in bytes */
    public long limit() {
        return limit;
    }
}
