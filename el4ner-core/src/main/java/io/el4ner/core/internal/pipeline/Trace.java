package io.el4ner.core.internal.pipeline;

import io.el4ner.api.TextRange;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each stage produced for one sentence; filled by {@link Pipeline#run(String,
 * io.el4ner.core.internal.exec.CallLedger, Trace)}, each stage its own part.
 */
final class Trace {
    /** Each answering member's anchored occurrences. */
    final Map<String, List<TextRange>> extracted = new LinkedHashMap<>();
    /** Each candidate surface's labels by member. */
    final Map<String, Map<String, String>> labels = new LinkedHashMap<>();
    /** Each candidate surface's voted label. */
    final Map<String, String> decided = new LinkedHashMap<>();
    /** Surfaces the validator removed. */
    final Set<String> rejected = new LinkedHashSet<>();
}
