package io.el4ner.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cost of one recognition: calls, tokens and latency per stage and per member.
 *
 * @param entries one entry per (stage, member) that made calls, sorted by stage then member name
 * @param wallMillis wall time of the whole recognition
 * @since 0.1
 */
public record Usage(List<UsageEntry> entries, long wallMillis) {
    /** No calls. */
    public static final Usage NONE = new Usage(List.of(), 0);

    /** Merges duplicate (stage, member) entries, sorts and copies them. */
    public Usage {
        Map<String, UsageEntry> merged = new LinkedHashMap<>();
        for (UsageEntry e : entries) {
            merged.merge(e.stage() + "\u0000" + e.member(), e, UsageEntry::plus);
        }
        List<UsageEntry> sorted = new ArrayList<>(merged.values());
        sorted.sort(Comparator.comparing(UsageEntry::stage).thenComparing(UsageEntry::member));
        entries = List.copyOf(sorted);
    }

    /** @return calls made in all stages */
    public int totalCalls() {
        return entries.stream().mapToInt(UsageEntry::calls).sum();
    }

    /** @return prompt plus completion tokens reported in all stages */
    public long totalTokens() {
        return entries.stream().mapToLong(e -> e.promptTokens() + e.completionTokens()).sum();
    }

    /**
     * @param stage a stage
     * @return calls made in that stage
     */
    public int calls(Stage stage) {
        return entries.stream().filter(e -> e.stage() == stage).mapToInt(UsageEntry::calls).sum();
    }

    /**
     * @param other usage of another recognition (e.g. another sentence of the same text)
     * @return both together; wall times add up
     */
    public Usage plus(Usage other) {
        List<UsageEntry> all = new ArrayList<>(entries);
        all.addAll(other.entries);
        return new Usage(all, wallMillis + other.wallMillis);
    }
}
