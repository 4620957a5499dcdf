package io.el4ner.hub.internal;

import io.el4ner.hub.HubException;
import io.el4ner.hub.HubException.Reason;

import java.io.IOException;

/** The failures every part of a download can end in, worded the same wherever they happen. */
final class Failures {
    private Failures() {
    }

    /** @return a {@link Reason#PROTOCOL} failure: the server answered what a Hub does not */
    static HubException protocol(Target t, String what) {
        return new HubException(Reason.PROTOCOL, "Could not download " + t.what() + ": " + what);
    }

    /** @return a {@link Reason#STORAGE} failure, the cause's message added unless the message has it already */
    static HubException storage(String message, IOException cause) {
        boolean said = cause.getMessage() != null && message.contains(cause.getMessage());
        return new HubException(Reason.STORAGE, said ? message : message + ": " + cause, cause);
    }
}
