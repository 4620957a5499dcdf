package io.el4ner.core.internal.pipeline;

import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.internal.exec.CallLedger;
import io.el4ner.core.internal.exec.MemberInvoker;
import io.el4ner.core.internal.llm.Prompts;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** Stage 1: every member lists candidate spans zero-shot; their union guides the retrieval of demonstrations. */
final class PreExtractionStage {
    private final SpanListing listing;

    /**
     * @param members the members, in ensemble order
     * @param types the label set
     * @param prompts the templates
     * @param invoker calls members
     */
    PreExtractionStage(List<ModelMember> members, List<EntityType> types, Prompts prompts, MemberInvoker invoker) {
        this.listing = new SpanListing(Stage.PRE_EXTRACTION, members, types, prompts, invoker);
    }

    /**
     * @param sentence the sentence
     * @param ledger where usage and diagnostics go
     * @return the distinct span strings any member found in the sentence, in ensemble then answer order
     * @throws io.el4ner.api.EnsembleFailureException when no member answered readably
     */
    List<String> run(String sentence, CallLedger ledger) {
        Map<String, List<String>> pre = listing.list(sentence, List.of(), ledger);
        LinkedHashSet<String> spans = new LinkedHashSet<>();
        pre.values().forEach(spans::addAll);
        return List.copyOf(spans);
    }
}
