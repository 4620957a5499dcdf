package io.el4ner.api;

import java.util.List;
import java.util.Objects;

/**
 * Every member failed in a stage, so no answer could be formed. {@link #failures()} holds each member's failure,
 * and {@link #usage()} the calls made before the failure, the failed ones included.
 *
 * @since 0.1
 */
public class EnsembleFailureException extends El4nerException {
    private static final long serialVersionUID = 1L;
    private final transient List<Diagnostic> failures;
    private final transient Usage usage;

    /**
     * @param message which stage had no member left
     * @param failures one diagnostic per failed member
     */
    public EnsembleFailureException(String message, List<Diagnostic> failures) {
        this(message, failures, Usage.NONE);
    }

    /**
     * @param message which stage had no member left
     * @param failures one diagnostic per failed member
     * @param usage the calls made until the failure, failed ones included
     * @since 0.1
     */
    public EnsembleFailureException(String message, List<Diagnostic> failures, Usage usage) {
        super(message);
        this.failures = List.copyOf(failures);
        this.usage = Objects.requireNonNull(usage, "usage");
    }

    /** @return the failures that left the stage with no member, in member order */
    public List<Diagnostic> failures() {
        return failures == null ? List.of() : failures;
    }

    /**
     * @return the calls made until the failure, the failed ones included (each counted in
     *         {@link UsageEntry#failures()}), of the sentence, or window of a long sentence, that failed; its wall
     *         time is 0 (unknown); {@link Usage#NONE} when the thrower did not say
     * @since 0.1
     */
    public Usage usage() {
        return usage == null ? Usage.NONE : usage;
    }
}
