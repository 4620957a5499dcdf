package io.el4ner.api;

import java.util.List;

/**
 * Every member failed in a stage, so no answer could be formed. {@link #failures()} holds each member's failure.
 *
 * @since 0.1
 */
public class EnsembleFailureException extends El4nerException {
    private static final long serialVersionUID = 1L;
    private final transient List<Diagnostic> failures;

    /**
     * @param message which stage had no member left
     * @param failures one diagnostic per failed member
     */
    public EnsembleFailureException(String message, List<Diagnostic> failures) {
        super(message);
        this.failures = List.copyOf(failures);
    }

    /** @return the failures that left the stage with no member, in member order */
    public List<Diagnostic> failures() {
        return failures == null ? List.of() : failures;
    }
}
