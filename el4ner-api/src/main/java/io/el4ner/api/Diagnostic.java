package io.el4ner.api;

import java.util.Objects;

/**
 * Something that went wrong or was dropped while recognising, reported instead of silently ignored.
 *
 * @param kind what happened
 * @param stage the stage it happened in
 * @param member the member concerned; empty when none
 * @param message a readable explanation
 * @param detail the raw material: the unparseable output, the span that was not found, the exception's class
 *
 * <p>Both texts are {@linkplain Redaction redacted} and bounded when the diagnostic is made: the message to
 * {@value #MAX_MESSAGE_CHARS} characters and the detail to {@value #MAX_DETAIL_CHARS}, each cut marked with how much
 * was left out, so that no model answer can make a diagnostic large or carry a secret. Their number is bounded too:
 * el4ner lists at most 20 diagnostics of one kind per member and stage of a sentence, and then one more of that kind
 * saying how many were not listed ("… and 37 more malformed_item diagnostics not listed"); member failures and
 * windowing notes are always listed.
 *
 * @since 0.1
 */
public record Diagnostic(Kind kind, Stage stage, String member, String message, String detail) {
    /** The most characters of a message kept (after redaction). */
    public static final int MAX_MESSAGE_CHARS = 1000;
    /** The most characters of a detail kept (after redaction). */
    public static final int MAX_DETAIL_CHARS = 200;

    /** What a {@link Diagnostic} reports. */
    public enum Kind {
        /** A member threw, timed out, or was skipped because of earlier failures. The result is degraded. */
        MEMBER_FAILURE,
        /** A member's answer could not be parsed at all; its answer is missing, so the result is degraded. */
        UNPARSEABLE_OUTPUT,
        /** Part of a member's answer could not be read (one list item, say); the rest was used. */
        MALFORMED_ITEM,
        /**
         * A span string was found nowhere in the sentence on token boundaries (a span that would start or end inside
         * a visible character, such as an emoji ZWJ sequence, counts as not found) and was dropped.
         */
        UNANCHORED_SPAN,
        /** A member labelled a span with a type outside the label set; the vote was ignored. */
        UNKNOWN_TYPE,
        /** An extracted span got no label from any member and was dropped. */
        UNLABELED_SPAN,
        /** An entity overlapped a more confident one and was dropped (nested entities are off). */
        OVERLAP_RESOLVED,
        /** A member labelled or validated a span that was not asked; ignored. */
        UNEXPECTED_SPAN,
        /** The validator removed an entity. */
        REJECTED_BY_VALIDATOR,
        /** A sentence was longer than a member's context and was split into windows. */
        WINDOWED,
        /**
         * A member's answer was cut short (a token limit was reached before it was complete); el4ner read what it
         * got, and the member says in the message what was kept. The answer may miss items, so recall may suffer;
         * a larger {@code maxTokens} avoids it.
         */
        TRUNCATED_ANSWER
    }

    /** Validates the components. */
    public Diagnostic {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(detail, "detail");
        member = Redaction.excerpt(member, MAX_MESSAGE_CHARS);
        message = Redaction.excerpt(message, MAX_MESSAGE_CHARS);
        detail = Redaction.excerpt(detail, MAX_DETAIL_CHARS);
    }

    /** @return whether this diagnostic marks the result as degraded (a member's answer is missing) */
    public boolean degrades() {
        return kind == Kind.MEMBER_FAILURE || kind == Kind.UNPARSEABLE_OUTPUT;
    }
}
