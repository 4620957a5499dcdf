package io.el4ner.core.internal.pipeline;

import io.el4ner.api.Demonstration;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.SpanProposal;
import io.el4ner.core.internal.exec.CallLedger;
import io.el4ner.core.internal.exec.MemberInvoker;
import io.el4ner.core.internal.llm.Prompts;
import io.el4ner.core.internal.text.SpanAnchor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Stage 3: every member lists spans few-shot; each member's strings are anchored to their occurrences and the
 * aggregator keeps their union (or a quorum).
 */
final class ExtractionStage {
    private final SpanListing listing;
    private final List<String> names;
    private final Aggregator aggregator;

    /**
     * @param members the members, in ensemble order
     * @param types the label set
     * @param aggregator selects the spans
     * @param prompts the templates
     * @param invoker calls members
     */
    ExtractionStage(List<ModelMember> members, List<EntityType> types, Aggregator aggregator, Prompts prompts,
                    MemberInvoker invoker) {
        this.listing = new SpanListing(Stage.EXTRACTION, members, types, prompts, invoker);
        this.names = members.stream().map(ModelMember::name).toList();
        this.aggregator = aggregator;
    }

    /**
     * @param sentence the sentence
     * @param demos the demonstrations shown
     * @param ledger where usage and diagnostics go
     * @param trace receives each answering member's occurrences; may be null
     * @return the spans the aggregator selected, in text order
     * @throws io.el4ner.api.EnsembleFailureException when no member answered readably
     */
    List<SpanProposal> run(String sentence, List<Demonstration> demos, CallLedger ledger, Trace trace) {
        Map<String, List<String>> extracted = listing.list(sentence, demos, ledger);
        SpanAnchor.Prepared anchor = SpanAnchor.prepare(sentence);
        TreeMap<TextRange, List<String>> byRange = new TreeMap<>(
                Comparator.comparingInt(TextRange::start).thenComparingInt(TextRange::end));
        for (String member : names) {
            List<String> surfaces = extracted.get(member);
            if (surfaces == null) {
                continue;
            }
            Set<TextRange> mine = new LinkedHashSet<>();
            for (String s : new LinkedHashSet<>(surfaces)) {
                mine.addAll(anchor.find(s));
            }
            for (TextRange r : mine) {
                byRange.computeIfAbsent(r, x -> new ArrayList<>()).add(member);
            }
        }
        List<SpanProposal> proposals = new ArrayList<>();
        byRange.forEach((r, by) -> proposals.add(
                new SpanProposal(r.start(), r.end(), sentence.substring(r.start(), r.end()), by)));
        List<String> answered = names.stream().filter(extracted::containsKey).toList();
        if (trace != null) {
            for (String member : answered) {
                trace.extracted.put(member, new ArrayList<>());
            }
            byRange.forEach((r, by) -> by.forEach(m -> trace.extracted.get(m).add(r)));
        }
        return aggregator.selectSpans(proposals, answered);
    }
}
