package io.el4ner.api.spi;

import java.util.List;

/**
 * A validator's decision on one entity.
 *
 * @param keep whether the entity stays
 * @param answered whether the decision rests on an answer; false when every judge failed (the entity is then
 *     kept, flagged unverified)
 * @param acceptedBy the judges (members or rules) that accepted it
 * @param rejectedBy the judges that rejected it
 * @since 0.1
 */
public record Verdict(boolean keep, boolean answered, List<String> acceptedBy, List<String> rejectedBy) {
    /** Copies the components. */
    public Verdict {
        acceptedBy = List.copyOf(acceptedBy);
        rejectedBy = List.copyOf(rejectedBy);
    }

    /** @return a verdict that keeps the entity because nobody could judge it */
    public static Verdict unanswered() {
        return new Verdict(true, false, List.of(), List.of());
    }
}
