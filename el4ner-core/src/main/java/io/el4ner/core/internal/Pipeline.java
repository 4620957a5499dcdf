package io.el4ner.core.internal;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Demonstration;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerException;
import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.Entity;
import io.el4ner.api.EntityType;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Provenance;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TextRange;
import io.el4ner.api.TypedSpan;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.LabelDecision;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.SpanProposal;
import io.el4ner.api.spi.ValidationRequest;
import io.el4ner.api.spi.Validator;
import io.el4ner.api.spi.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The EL4NER pipeline for one sentence: pre-extraction, retrieval, extraction, classification, validation.
 * Immutable and thread-safe; everything a run produces goes to its {@link CallLedger}.
 */
public final class Pipeline {
    /**
     * The most distinct span strings of one extraction answer looked up in the sentence (each lookup costs up to the
     * sentence's length times the span's): no sentence has that many entities, a hostile answer may list millions.
     */
    static final int MAX_SPANS_PER_ANSWER = 256;
    private static final Set<String> NONE_LABELS = Set.of("none", "o", "null", "not an entity", "not_an_entity",
            "no entity", "n/a", "non-entity", "not entity", "no");

    private final List<ModelMember> members;
    private final List<String> names;
    private final List<EntityType> types;
    private final Map<String, String> typeByLowerName;
    private final Optional<Retriever> retriever;
    private final int k;
    private final Aggregator aggregator;
    private final Optional<Validator> validator;
    private final boolean skipUnanimous;
    private final boolean nested;
    private final Prompts prompts;
    private final MemberInvoker invoker;

    /**
     * @param members the members, in ensemble order
     * @param types the label set
     * @param retriever the retriever; empty runs zero-shot and skips pre-extraction
     * @param k demonstrations per sentence
     * @param aggregator combines answers
     * @param validator validates typed entities; empty disables validation
     * @param skipUnanimous skip validation of entities every member proposed and labelled alike
     * @param nested keep overlapping entities
     * @param prompts the templates
     * @param invoker calls members
     */
    public Pipeline(List<ModelMember> members, List<EntityType> types, Optional<Retriever> retriever, int k,
                    Aggregator aggregator, Optional<Validator> validator, boolean skipUnanimous, boolean nested,
                    Prompts prompts, MemberInvoker invoker) {
        this.members = List.copyOf(members);
        this.names = this.members.stream().map(ModelMember::name).toList();
        this.types = List.copyOf(types);
        Map<String, String> byLower = new HashMap<>();
        for (EntityType t : this.types) {
            byLower.put(t.name().toLowerCase(Locale.ROOT), t.name());
        }
        this.typeByLowerName = Map.copyOf(byLower);
        this.retriever = retriever;
        this.k = k;
        this.aggregator = aggregator;
        this.validator = validator;
        this.skipUnanimous = skipUnanimous;
        this.nested = nested;
        this.prompts = prompts;
        this.invoker = invoker;
    }

    /** @return the members in ensemble order */
    public List<ModelMember> members() {
        return members;
    }

    /**
     * @param sentence one sentence (or window), not blank
     * @param ledger where usage and diagnostics go
     * @return its entities, offsets relative to {@code sentence}
     * @throws EnsembleFailureException when every member failed in a stage
     */
    public List<Entity> run(String sentence, CallLedger ledger) {
        return run(sentence, ledger, null);
    }

    /**
     * Runs the pipeline and describes each stage's outcome.
     *
     * @param sentence one sentence (or window), not blank
     * @param ledger where usage and diagnostics go
     * @param trace receives what each stage produced (offsets relative to {@code sentence}); may be null
     * @return its entities, offsets relative to {@code sentence}
     */
    public List<Entity> run(String sentence, CallLedger ledger, Trace trace) {
        List<Demonstration> demos = List.of();
        if (retriever.isPresent() && k > 0) {
            Map<String, List<String>> pre = extract(Stage.PRE_EXTRACTION, sentence, List.of(), ledger);
            LinkedHashSet<String> preSpans = new LinkedHashSet<>();
            pre.values().forEach(preSpans::addAll);
            demos = List.copyOf(retriever.get().retrieve(sentence, List.copyOf(preSpans), k));
        }
        // c. extraction: each member's anchored occurrences, then union or quorum
        Map<String, List<String>> extracted = extract(Stage.EXTRACTION, sentence, demos, ledger);
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
        List<SpanProposal> selected = aggregator.selectSpans(proposals, answered);
        if (selected.isEmpty()) {
            return List.of();
        }

        // d. classification: one call per member with every distinct candidate surface
        List<String> surfaces = new ArrayList<>(new LinkedHashSet<>(selected.stream().map(SpanProposal::text).toList()));
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

        // e. validation
        Map<String, Verdict> verdicts = new HashMap<>();
        Map<String, Provenance.ValidationStatus> status = new HashMap<>();
        List<TypedSpan> toCheck = new ArrayList<>();
        for (Map.Entry<String, LabelDecision> e : decisions.entrySet()) {
            String s = e.getKey();
            if (validator.isEmpty()) {
                status.put(s, Provenance.ValidationStatus.DISABLED);
            } else if (skipUnanimous && unanimous(s, e.getValue(), labels.get(s), selected)) {
                status.put(s, Provenance.ValidationStatus.SKIPPED_UNANIMOUS);
            } else {
                toCheck.add(new TypedSpan(s, e.getValue().label()));
            }
        }
        if (!toCheck.isEmpty()) {
            List<Verdict> v = validator.get().validate(new ValidationRequest(sentence, types, demos, toCheck,
                    new Caller(ledger)));
            if (v.size() != toCheck.size()) {
                throw new El4nerException("validator " + validator.get().getClass().getName() + " returned "
                        + v.size() + " verdicts for " + toCheck.size() + " entities");
            }
            for (int i = 0; i < toCheck.size(); i++) {
                TypedSpan t = toCheck.get(i);
                Verdict verdict = v.get(i);
                verdicts.put(t.text(), verdict);
                if (!verdict.keep()) {
                    if (trace != null) {
                        trace.rejected.add(t.text());
                    }
                    ledger.report(new Diagnostic(Diagnostic.Kind.REJECTED_BY_VALIDATOR, Stage.VALIDATION, "",
                            "removed '" + t.text() + "' as " + t.type() + "; rejected by " + verdict.rejectedBy()
                                    + ", accepted by " + verdict.acceptedBy(), t.text()));
                }
                status.put(t.text(), verdict.answered() ? Provenance.ValidationStatus.ACCEPTED
                        : Provenance.ValidationStatus.UNVERIFIED);
            }
        }

        List<Entity> entities = new ArrayList<>();
        for (SpanProposal p : selected) {
            LabelDecision d = decisions.get(p.text());
            Verdict verdict = verdicts.get(p.text());
            if (d == null || (verdict != null && !verdict.keep())) {
                continue;
            }
            Provenance prov = new Provenance(p.proposedBy(), labels.get(p.text()), status.get(p.text()),
                    verdict == null ? List.of() : verdict.acceptedBy(),
                    verdict == null ? List.of() : verdict.rejectedBy());
            entities.add(new Entity(p.start(), p.end(), d.label(), p.text(), d.confidence(), prov));
        }
        return nested ? entities : resolveOverlaps(entities, ledger);
    }

    private boolean unanimous(String surface, LabelDecision d, Map<String, String> l, List<SpanProposal> selected) {
        if (!d.unanimous() || l.size() != names.size()) {
            return false;
        }
        return selected.stream().filter(p -> p.text().equals(surface))
                .allMatch(p -> p.proposedBy().size() == names.size());
    }

    /** Runs an extraction stage; returns each answering member's span strings (unanchorable ones reported). */
    private Map<String, List<String>> extract(Stage stage, String sentence, List<Demonstration> demos,
                                              CallLedger ledger) {
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
                reportUnparseable(stage, member, parsed, excerpt, ledger);
                continue;
            }
            reportProblems(stage, member, parsed, excerpt, ledger);
            // each distinct string is anchored once: an answer may repeat one a million times
            List<String> anchored = new ArrayList<>();
            int looked = 0;
            Set<String> distinct = new LinkedHashSet<>(parsed.value());
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
            out.put(member, anchored);
        }
        requireSome(stage, out.keySet(), ledger);
        return out;
    }

    /** Runs classification; returns for each surface the labels by member (type names or NONE). */
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
                reportUnparseable(Stage.CLASSIFICATION, member, parsed, excerpt, ledger);
                continue;
            }
            answered.add(member);
            reportProblems(Stage.CLASSIFICATION, member, parsed, excerpt, ledger);
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
                Optional<String> label = normalizeLabel(pair.type());
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
        requireSome(Stage.CLASSIFICATION, answered, ledger);
        return labels;
    }

    private Optional<String> normalizeLabel(String raw) {
        String t = raw.strip().toLowerCase(Locale.ROOT);
        String known = typeByLowerName.get(t);
        if (known != null) {
            return Optional.of(known);
        }
        if (NONE_LABELS.contains(t)) {
            return Optional.of(Provenance.NOT_AN_ENTITY);
        }
        // "B-PER" style answers
        if (t.length() > 2 && (t.startsWith("b-") || t.startsWith("i-"))) {
            return Optional.ofNullable(typeByLowerName.get(t.substring(2)));
        }
        return Optional.empty();
    }

    /**
     * Reports an answer that could not be read at all: one diagnostic with its problems and an excerpt.
     *
     * @param stage the stage
     * @param member the member
     * @param parsed what the parser made of the answer
     * @param excerpt the answer, redacted and cut
     * @param ledger where it goes
     */
    static void reportUnparseable(Stage stage, String member, ResponseParser.Parsed<?> parsed, String excerpt,
                                  CallLedger ledger) {
        String more = parsed.omitted() > 0 ? "; and " + parsed.omitted() + " more problems" : "";
        ledger.report(new Diagnostic(Diagnostic.Kind.UNPARSEABLE_OUTPUT, stage, member,
                String.join("; ", parsed.problems()) + more, excerpt));
    }

    /**
     * Reports the parts of an answer that could not be read, one diagnostic per problem listed (each with the
     * answer's excerpt, never the whole answer); those the parser only counted go to the ledger's summary.
     *
     * @param stage the stage
     * @param member the member
     * @param parsed what the parser made of the answer
     * @param excerpt the answer, redacted and cut
     * @param ledger where they go
     */
    static void reportProblems(Stage stage, String member, ResponseParser.Parsed<?> parsed, String excerpt,
                               CallLedger ledger) {
        for (String p : parsed.problems()) {
            ledger.report(new Diagnostic(Diagnostic.Kind.MALFORMED_ITEM, stage, member, p, excerpt));
        }
        ledger.omitted(Diagnostic.Kind.MALFORMED_ITEM, stage, member, parsed.omitted());
    }

    private static void requireSome(Stage stage, Set<String> answered, CallLedger ledger) {
        if (answered.isEmpty()) {
            throw new EnsembleFailureException("no member answered the " + stage
                    + " stage; see failures() for each member's error", ledger.diagnostics().stream()
                    .filter(d -> d.stage() == stage && d.degrades()).toList(), ledger.usage(0));
        }
    }

    /**
     * Keeps the most confident of overlapping entities, then the longest, then the earliest, and reports the others.
     *
     * @param entities entities of one text
     * @param ledger where dropped entities are reported
     * @return the kept entities sorted by offset
     */
    public static List<Entity> resolveOverlaps(List<Entity> entities, CallLedger ledger) {
        List<Entity> order = new ArrayList<>(entities);
        order.sort(Comparator.comparingDouble(Entity::confidence).reversed()
                .thenComparing(Comparator.comparingInt((Entity e) -> e.end() - e.start()).reversed())
                .thenComparingInt(Entity::start));
        List<Entity> kept = new ArrayList<>();
        for (Entity e : order) {
            Optional<Entity> clash = kept.stream().filter(x -> x.start() < e.end() && e.start() < x.end()).findFirst();
            if (clash.isPresent()) {
                ledger.report(new Diagnostic(Diagnostic.Kind.OVERLAP_RESOLVED, Stage.CLASSIFICATION, "",
                        "dropped '" + e.text() + "' (" + e.type() + ") because it overlaps '" + clash.get().text()
                                + "' (" + clash.get().type() + ")", e.text()));
            } else {
                kept.add(e);
            }
        }
        kept.sort(Comparator.comparingInt(Entity::start).thenComparingInt(Entity::end));
        return kept;
    }

    /** What each stage produced for one sentence; filled by {@link #run(String, CallLedger, Trace)}. */
    public static final class Trace {
        /** Each answering member's anchored occurrences. */
        public final Map<String, List<TextRange>> extracted = new LinkedHashMap<>();
        /** Each candidate surface's labels by member. */
        public final Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        /** Each candidate surface's voted label. */
        public final Map<String, String> decided = new LinkedHashMap<>();
        /** Surfaces the validator removed. */
        public final Set<String> rejected = new LinkedHashSet<>();
    }

    /** Gives validators access to the members, with this run's accounting. */
    private final class Caller implements ReadingMemberCaller {
        private final CallLedger ledger;

        Caller(CallLedger ledger) {
            this.ledger = ledger;
        }

        @Override
        public List<String> memberNames() {
            return names;
        }

        @Override
        public Map<String, ChatResponse> callAll(List<String> wanted, ChatRequest request) {
            Map<String, ChatResponse> out = new LinkedHashMap<>();
            callAll(wanted, request, text -> null).forEach((m, a) -> out.put(m, a.response()));
            return out;
        }

        @Override
        public <T> Map<String, MemberInvoker.Answer<T>> callAll(List<String> wanted, ChatRequest request,
                                                                Function<String, T> parser) {
            List<ModelMember> chosen = new ArrayList<>();
            for (String w : wanted) {
                int i = names.indexOf(w);
                if (i < 0) {
                    throw new IllegalArgumentException("no member named '" + w + "'; members: " + names);
                }
                chosen.add(members.get(i));
            }
            Map<String, MemberInvoker.Answer<T>> out = new LinkedHashMap<>();
            invoker.callAll(Stage.VALIDATION, chosen, m -> request, parser, ledger)
                    .forEach((m, a) -> out.put(m.name(), a));
            return out;
        }

        @Override
        public void report(Diagnostic diagnostic) {
            ledger.report(diagnostic);
        }

        @Override
        public void report(Diagnostic.Kind kind, String member, java.util.function.Supplier<Diagnostic> diagnostic) {
            ledger.report(kind, Stage.VALIDATION, member, diagnostic);
        }

        @Override
        public void omitted(Diagnostic.Kind kind, String member, long count) {
            ledger.omitted(kind, Stage.VALIDATION, member, count);
        }
    }
}
