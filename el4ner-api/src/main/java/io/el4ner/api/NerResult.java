package io.el4ner.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of recognising one text.
 *
 * @param text the input
 * @param entities recognised entities sorted by (start, end, type); every one is a substring of {@code text}
 * @param diagnostics what went wrong or was dropped, in the order it happened
 * @param usage calls, tokens and latency per stage and member
 * @since 0.1
 */
public record NerResult(String text, List<Entity> entities, List<Diagnostic> diagnostics, Usage usage) {
    /** Validates, sorts and copies the components; checks every entity against the text. */
    public NerResult {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(usage, "usage");
        List<Entity> sorted = new ArrayList<>(entities);
        for (Entity e : sorted) {
            if (e.end() > text.length() || !text.regionMatches(e.start(), e.text(), 0, e.text().length())) {
                throw new IllegalArgumentException("entity " + e.text() + " [" + e.start() + ", " + e.end()
                        + ") is not a substring of the text at its offsets");
            }
        }
        sorted.sort(Comparator.comparingInt(Entity::start).thenComparingInt(Entity::end)
                .thenComparing(Entity::type));
        entities = List.copyOf(sorted);
        diagnostics = List.copyOf(diagnostics);
    }

    /**
     * @param text the input
     * @return an empty result with no calls
     */
    public static NerResult empty(String text) {
        return new NerResult(text, List.of(), List.of(), Usage.NONE);
    }

    /** @return whether some member's answer is missing from the result because it failed */
    public boolean degraded() {
        return diagnostics.stream().anyMatch(Diagnostic::degrades);
    }
}
