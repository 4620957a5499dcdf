package io.el4ner.core.internal.pipeline;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.Demonstration;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.EntityType;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Provenance;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.LabelDecision;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.SpanProposal;
import io.el4ner.core.internal.exec.CallLedger;
import io.el4ner.core.internal.exec.MemberInvoker;
import io.el4ner.core.internal.llm.LabelNormalizer;
import io.el4ner.core.internal.llm.Prompts;
import io.el4ner.core.internal.llm.ResponseParser;
import io.el4ner.core.internal.text.SpanAnchor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Stage 4: every member types all candidate spans in one call; the aggregator's weighted vote decides each span's
 * label, and spans voted "not an entity" or labelled by nobody are dropped.
 */
final class ClassificationStage {
    private final List<ModelMember> members;
    private final List<String> names;
    private final List<EntityType> types;
    private final LabelNormalizer labelNormalizer;
    private final Aggregator aggregator;
    private final Prompts prompts;
    private final MemberInvoker invoker;

    /**
     * What classification decided.
     *
     * @param labels each candidate surface's labels by member (type names or NONE), in candidate order
     * @param decisions the voted label of each surface that is an entity, in candidate order
     */
    record Outcome(Map<String, Map<String, String>> labels, Map<String, LabelDecision> decisions) {
    }

    /**
     * @param members the members, in ensemble order
     * @param types the label set
     * @param aggregator votes
     * @param prompts the templates
     * @param invoker calls members
     */
    ClassificationStage(List<ModelMember> members, List<EntityType> types, Aggregator aggregator, Prompts prompts,
                        MemberInvoker invoker) {
        this.members = List.copyOf(members);
        this.names = this.members.stream().map(ModelMember::name).toList();
        this.types = List.copyOf(types);
        this.labelNormalizer = new LabelNormalizer(this.types);
        this.aggregator = aggregator;
        this.prompts = prompts;
        this.invoker = invoker;
    }

    /**
     * One call per member with every distinct candidate surface, then the vote.
     *
     * @param sentence the sentence
     * @param demos the demonstrations shown
     * @param selected the spans extraction selected
     * @param ledger where usage and diagnostics go
     * @param trace receives the labels and the voted label of each surface; may be null
     * @return the labels and decisions
     * @throws io.el4ner.api.EnsembleFailureException when no member answered readably
     */
    Outcome run(String sentence, List<Demonstration> demos, List<SpanProposal> selected, CallLedger ledger,
                Trace trace) {
        List<String> surfaces = new ArrayList<>(
                new LinkedHashSet<>(selected.stream().map(SpanProposal::text).toList()));
        Map<String, Map<String, String>> labels = classify(sentence, demos, surfaces, ledger);
        Map<String, LabelDecision> decisions = new LinkedHashMap<>();
        for (String s : surfaces) {
            Map<String, String> l = labels.get(s);
            if (l.isEmpty()) {
                ledger.report(new Diagnostic(Diagnostic.Kind.UNLABELED_SPAN, Stage.CLASSIFICATION, "",
                        "no member labelled the span; dropped", s));
                continue;
            }
            LabelDecision d = aggregator.vote(s, l, names);
            if (trace != null) {
                trace.labels.put(s, l);
                trace.decided.put(s, d.label());
            }
            if (!Provenance.NOT_AN_ENTITY.equals(d.label())) {
                decisions.put(s, d);
            }
        }
        return new Outcome(labels, decisions);
    }

    /** Asks the members; returns for each surface the labels by member (type names or NONE). */
    private Map<String, Map<String, String>> classify(String sentence, List<Demonstration> demos,
                                                      List<String> surfaces, CallLedger ledger) {
        ChatRequest request = new ChatRequest(
                prompts.render(Stage.CLASSIFICATION, sentence, types, demos, surfaces, List.of()),
                GenerationOptions.greedyJson(64 + 32 * surfaces.size()),
                new TaskContext(Stage.CLASSIFICATION, sentence, types, demos, surfaces, List.of()));
        Map<ModelMember, MemberInvoker.Answer<ResponseParser.Parsed<List<TypedSpan>>>> answers =
                invoker.callAll(Stage.CLASSIFICATION, members, m -> request, ResponseParser::labels, ledger);
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        Map<String, String> byNormal = new HashMap<>();
        for (String s : surfaces) {
            labels.put(s, new LinkedHashMap<>());
            byNormal.putIfAbsent(SpanAnchor.normalize(s), s);
        }
        Set<String> answered = new LinkedHashSet<>();
        for (Map.Entry<ModelMember, MemberInvoker.Answer<ResponseParser.Parsed<List<TypedSpan>>>> a
                : answers.entrySet()) {
            String member = a.getKey().name();
            String excerpt = a.getValue().excerpt();
            ResponseParser.Parsed<List<TypedSpan>> parsed = a.getValue().parsed();
            if (!parsed.parsed()) {
                StageReports.reportUnparseable(Stage.CLASSIFICATION, member, parsed, excerpt, ledger);
                continue;
            }
            answered.add(member);
            StageReports.reportProblems(Stage.CLASSIFICATION, member, parsed, excerpt, ledger);
            for (TypedSpan pair : parsed.value()) {
                String surface = labels.containsKey(pair.text()) ? pair.text()
                        : byNormal.get(SpanAnchor.normalize(pair.text()));
                if (surface == null) {
                    ledger.report(Diagnostic.Kind.UNEXPECTED_SPAN, Stage.CLASSIFICATION, member,
                            () -> new Diagnostic(Diagnostic.Kind.UNEXPECTED_SPAN, Stage.CLASSIFICATION, member,
                                    "labelled a span that was not asked; ignored",
                                    pair.text() + " -> " + pair.type()));
                    continue;
                }
                Optional<String> label = labelNormalizer.normalize(pair.type());
                if (label.isEmpty()) {
                    ledger.report(Diagnostic.Kind.UNKNOWN_TYPE, Stage.CLASSIFICATION, member,
                            () -> new Diagnostic(Diagnostic.Kind.UNKNOWN_TYPE, Stage.CLASSIFICATION, member,
                                    "label is not in the label set; vote ignored",
                                    pair.text() + " -> " + pair.type()));
                    continue;
                }
                labels.get(surface).putIfAbsent(member, label.get());
            }
        }
        StageReports.requireSome(Stage.CLASSIFICATION, answered, ledger);
        return labels;
    }
}
