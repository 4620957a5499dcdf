package io.el4ner.eval;

import io.el4ner.api.Diagnostic;
import java.util.Locale;
import java.util.Objects;

/**
 * One member's error on one sentence of an evaluation, as {@code predictions.jsonl} records it under
 * {@code memberErrors}: a member that failed (threw, timed out) or whose answer could not be read.
 *
 * @param stage the stage, lower case ({@code extraction}, {@code classification}…)
 * @param member the member's name
 * @param kind the diagnostic's kind, lower case ({@code member_failure} or {@code unparseable_output})
 * @param message the error, redacted and bounded as {@link Diagnostic} makes it
 * @since 0.1
 */
public record MemberError(String stage, String member, String kind, String message) {
    /** Validates the components. */
    public MemberError {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /**
     * @param d a diagnostic that {@linkplain Diagnostic#degrades() degrades} a result
     * @return its error
     */
    public static MemberError of(Diagnostic d) {
        return new MemberError(d.stage().name().toLowerCase(Locale.ROOT), d.member(),
                d.kind().name().toLowerCase(Locale.ROOT), d.message());
    }
}
