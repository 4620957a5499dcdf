package io.el4ner.core.internal.pipeline;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.Demonstration;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.EntityType;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.internal.exec.CallLedger;
import io.el4ner.core.internal.exec.MemberInvoker;
import io.el4ner.core.internal.llm.Prompts;
import io.el4ner.core.internal.llm.ResponseParser;
import io.el4ner.core.internal.text.SpanAnchor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Asks every member to list the entity spans of a sentence, as pre-extraction and extraction both do, and keeps the
 * strings found in the sentence; unanchorable ones are reported.
 */
final class SpanListing {
    /**
     * The most distinct span strings of one extraction answer looked up in the sentence (each lookup costs up to the
     * sentence's length times the span's): no sentence has that many entities, a hostile answer may list millions.
     */
    static final int MAX_SPANS_PER_ANSWER = 256;

    private final Stage stage;
    private final List<ModelMember> members;
    private final List<EntityType> types;
    private final Prompts prompts;
    private final MemberInvoker invoker;

    /**
     * @param stage {@link Stage#PRE_EXTRACTION} or {@link Stage#EXTRACTION}
     * @param members the members, in ensemble order
     * @param types the label set
     * @param prompts the templates
     * @param invoker calls members
     */
    SpanListing(Stage stage, List<ModelMember> members, List<EntityType> types, Prompts prompts,
                MemberInvoker invoker) {
        this.stage = stage;
        this.members = List.copyOf(members);
        this.types = List.copyOf(types);
        this.prompts = prompts;
        this.invoker = invoker;
    }

    /**
     * Runs the stage.
     *
     * @param sentence the sentence
     * @param demos the demonstrations shown (none for pre-extraction)
     * @param ledger where usage and diagnostics go
     * @return each answering member's span strings found in the sentence, in ensemble order
     * @throws io.el4ner.api.EnsembleFailureException when no member answered readably
     */
    Map<String, List<String>> list(String sentence, List<Demonstration> demos, CallLedger ledger) {
        ChatRequest request = new ChatRequest(prompts.render(stage, sentence, types, demos, List.of(), List.of()),
                GenerationOptions.greedyJson(Math.max(128, sentence.length())),
                new TaskContext(stage, sentence, types, demos, List.of(), List.of()));
        Map<ModelMember, MemberInvoker.Answer<ResponseParser.Parsed<List<String>>>> answers =
                invoker.callAll(stage, members, m -> request, ResponseParser::spans, ledger);
        Map<String, List<String>> out = new LinkedHashMap<>();
        SpanAnchor.Prepared anchor = SpanAnchor.prepare(sentence);
        for (Map.Entry<ModelMember, MemberInvoker.Answer<ResponseParser.Parsed<List<String>>>> a
                : answers.entrySet()) {
            String member = a.getKey().name();
            String excerpt = a.getValue().excerpt();
            ResponseParser.Parsed<List<String>> parsed = a.getValue().parsed();
            if (!parsed.parsed()) {
                StageReports.reportUnparseable(stage, member, parsed, excerpt, ledger);
                continue;
            }
            StageReports.reportProblems(stage, member, parsed, excerpt, ledger);
            out.put(member, anchored(parsed.value(), anchor, member, excerpt, ledger));
        }
        StageReports.requireSome(stage, out.keySet(), ledger);
        return out;
    }

    /** Each distinct string is anchored once: an answer may repeat one a million times. */
    private List<String> anchored(List<String> spans, SpanAnchor.Prepared anchor, String member, String excerpt,
                                  CallLedger ledger) {
        List<String> anchored = new ArrayList<>();
        int looked = 0;
        Set<String> distinct = new LinkedHashSet<>(spans);
        for (String s : distinct) {
            if (s.isBlank()) {
                continue;
            }
            if (looked++ == MAX_SPANS_PER_ANSWER) {
                int rest = distinct.size() - MAX_SPANS_PER_ANSWER;
                ledger.report(new Diagnostic(Diagnostic.Kind.UNANCHORED_SPAN, stage, member,
                        "the answer lists more than " + MAX_SPANS_PER_ANSWER + " distinct spans for one sentence; "
                                + "the first " + MAX_SPANS_PER_ANSWER + " were looked up and the other " + rest
                                + " (blank ones included) dropped", excerpt));
                break;
            }
            List<TextRange> found = anchor.find(s);
            if (found.isEmpty()) {
                ledger.report(Diagnostic.Kind.UNANCHORED_SPAN, stage, member, () -> new Diagnostic(
                        Diagnostic.Kind.UNANCHORED_SPAN, stage, member,
                        "span not found in the sentence on token and character boundaries; dropped", s));
            } else {
                anchored.add(s);
            }
        }
        return anchored;
    }
}
