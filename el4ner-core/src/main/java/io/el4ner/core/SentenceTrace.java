package io.el4ner.core;

import io.el4ner.api.TextRange;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What happened to one sentence (or window) in each stage, for evaluation and debugging: each member's anchored
 * extraction answer, each member's label for each candidate, the vote, and the validator's verdicts. Offsets are
 * in the whole text passed to {@link EnsembleNer#recognizeTraced(String)}.
 *
 * @param start where the sentence starts in the text
 * @param sentence the sentence (or window)
 * @param extracted each answering member's extracted occurrences, by member name in ensemble order
 * @param labels for each candidate surface, each member's label (a type or {@code NONE})
 * @param decided for each candidate surface, the voted label (a type or {@code NONE})
 * @param rejected the candidate surfaces the validator removed
 * @since 0.1
 */
public record SentenceTrace(int start, String sentence, Map<String, List<TextRange>> extracted,
                            Map<String, Map<String, String>> labels, Map<String, String> decided,
                            Set<String> rejected) {
    /**
     * Copies the components, keeping the iteration order of the given maps and set (unmodifiable copies;
     * {@code Map.copyOf} would not, its order changes between JVM runs).
     */
    public SentenceTrace {
        Objects.requireNonNull(sentence, "sentence");
        extracted = ordered(extracted);
        Map<String, Map<String, String>> l = new LinkedHashMap<>();
        labels.forEach((surface, byMember) -> l.put(surface, ordered(byMember)));
        labels = Collections.unmodifiableMap(l);
        decided = ordered(decided);
        rejected = Collections.unmodifiableSet(new LinkedHashSet<>(rejected));
    }

    private static <K, V> Map<K, V> ordered(Map<K, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
