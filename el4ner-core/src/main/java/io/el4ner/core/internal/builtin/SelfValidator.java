package io.el4ner.core.internal.builtin;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import io.el4ner.api.spi.ValidationRequest;
import io.el4ner.api.spi.Validator;
import io.el4ner.api.spi.Verdict;
import io.el4ner.core.ValidationMode;
import io.el4ner.core.internal.exec.MemberInvoker;
import io.el4ner.core.internal.exec.ReadingMemberCaller;
import io.el4ner.core.internal.llm.Prompts;
import io.el4ner.core.internal.llm.ResponseParser;
import io.el4ner.core.internal.text.SpanAnchor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * EL4NER's self-validation: the ensemble's own members judge each typed entity of a sentence, all entities in one
 * call per judge. {@link ValidationMode#SINGLE}: one verifier decides. {@link ValidationMode#MAJORITY}: every
 * member judges and an entity stays unless more judges reject it than accept it (a tie keeps it).
 * {@link ValidationMode#UNANIMOUS}: it stays only if no judge that answered rejects it. A judge that fails or
 * does not mention an entity abstains; an entity nobody judged is kept and flagged unverified.
 */
public final class SelfValidator implements Validator {
    private final ValidationMode mode;
    private final Optional<String> verifier;
    private final Prompts prompts;

    /**
     * @param mode SINGLE, MAJORITY or UNANIMOUS
     * @param verifier the verifier for SINGLE; empty means the first member
     * @param prompts the templates
     */
    public SelfValidator(ValidationMode mode, Optional<String> verifier, Prompts prompts) {
        if (mode == ValidationMode.NONE) {
            throw new IllegalArgumentException("a self validator needs a mode other than NONE");
        }
        if (verifier.isPresent() && mode != ValidationMode.SINGLE) {
            throw new El4nerConfigurationException("a verifier member is only meaningful with validation mode "
                    + "SINGLE, not " + mode);
        }
        this.mode = mode;
        this.verifier = verifier;
        this.prompts = prompts;
    }

    /**
     * @param p the templates to use
     * @return this validator with other templates
     */
    public SelfValidator withPrompts(Prompts p) {
        return new SelfValidator(mode, verifier, p);
    }

    /** @return the verifier named for SINGLE mode */
    public Optional<String> verifier() {
        return verifier;
    }

    @Override
    public List<Verdict> validate(ValidationRequest request) {
        List<TypedSpan> entities = request.entities();
        if (entities.isEmpty()) {
            return List.of();
        }
        List<String> all = request.members().memberNames();
        List<String> judges = mode == ValidationMode.SINGLE ? List.of(verifier.orElse(all.get(0))) : all;
        ChatRequest chat = new ChatRequest(
                prompts.render(Stage.VALIDATION, request.sentence(), request.types(), request.demonstrations(),
                        List.of(), entities),
                GenerationOptions.greedyJson(64 + 40 * entities.size()),
                new TaskContext(Stage.VALIDATION, request.sentence(), request.types(), request.demonstrations(),
                        List.of(), entities));
        Map<String, MemberInvoker.Answer<ResponseParser.Parsed<List<ResponseParser.Judgement>>>> answers =
                callAll(request, judges, chat);

        List<List<String>> accepted = new ArrayList<>();
        List<List<String>> rejected = new ArrayList<>();
        for (int i = 0; i < entities.size(); i++) {
            accepted.add(new ArrayList<>());
            rejected.add(new ArrayList<>());
        }
        // indices by text and by normalized text, so that each of an answer's judgements is matched in O(1)
        Map<String, List<Integer>> byText = new HashMap<>();
        Map<String, List<Integer>> byNormal = new HashMap<>();
        for (int i = 0; i < entities.size(); i++) {
            byText.computeIfAbsent(entities.get(i).text(), k -> new ArrayList<>()).add(i);
            byNormal.computeIfAbsent(SpanAnchor.normalize(entities.get(i).text()), k -> new ArrayList<>()).add(i);
        }
        for (String judge : judges) {
            var answer = answers.get(judge);
            if (answer == null) {
                continue;
            }
            var parsed = answer.parsed();
            String excerpt = answer.excerpt();
            if (!parsed.parsed()) {
                String more = parsed.omitted() > 0 ? "; and " + parsed.omitted() + " more problems" : "";
                request.members().report(new Diagnostic(Diagnostic.Kind.UNPARSEABLE_OUTPUT, Stage.VALIDATION, judge,
                        String.join("; ", parsed.problems()) + more, excerpt));
                continue;
            }
            for (String p : parsed.problems()) {
                request.members().report(new Diagnostic(Diagnostic.Kind.MALFORMED_ITEM, Stage.VALIDATION, judge, p,
                        excerpt));
            }
            if (parsed.omitted() > 0) {
                if (request.members() instanceof ReadingMemberCaller reading) {
                    reading.omitted(Diagnostic.Kind.MALFORMED_ITEM, judge, parsed.omitted());
                } else {
                    request.members().report(new Diagnostic(Diagnostic.Kind.MALFORMED_ITEM, Stage.VALIDATION, judge,
                            "… and " + parsed.omitted() + " more problems not listed", excerpt));
                }
            }
            boolean[] seen = new boolean[entities.size()];
            for (ResponseParser.Judgement j : parsed.value()) {
                List<Integer> targets = match(entities, byText, byNormal, j);
                if (targets.isEmpty()) {
                    Supplier<Diagnostic> d = () -> new Diagnostic(Diagnostic.Kind.UNEXPECTED_SPAN, Stage.VALIDATION,
                            judge, "judged an entity that was not asked: " + Redaction.excerpt(j.span(), 200) + " / "
                                    + Redaction.excerpt(j.type(), 100), excerpt);
                    if (request.members() instanceof ReadingMemberCaller reading) {
                        reading.report(Diagnostic.Kind.UNEXPECTED_SPAN, judge, d);
                    } else {
                        request.members().report(d.get());
                    }
                }
                for (int t : targets) {
                    if (!seen[t]) {
                        seen[t] = true;
                        (j.valid() ? accepted : rejected).get(t).add(judge);
                    }
                }
            }
        }
        List<Verdict> out = new ArrayList<>(entities.size());
        for (int i = 0; i < entities.size(); i++) {
            int yes = accepted.get(i).size();
            int no = rejected.get(i).size();
            if (yes + no == 0) {
                out.add(Verdict.unanswered());
                continue;
            }
            boolean keep = switch (mode) {
                case SINGLE -> yes > 0;
                case MAJORITY -> yes >= no;
                case UNANIMOUS -> no == 0;
                case NONE -> true;
            };
            out.add(new Verdict(keep, true, accepted.get(i), rejected.get(i)));
        }
        return out;
    }

    /**
     * Calls the judges and reads their answers: within each call's deadline when the caller is el4ner's own,
     * after the calls otherwise (a plugin's caller).
     */
    private static Map<String, MemberInvoker.Answer<ResponseParser.Parsed<List<ResponseParser.Judgement>>>> callAll(
            ValidationRequest request, List<String> judges, ChatRequest chat) {
        List<TypedSpan> entities = request.entities();
        Function<String, ResponseParser.Parsed<List<ResponseParser.Judgement>>> parser =
                text -> ResponseParser.verdicts(text, entities);
        if (request.members() instanceof ReadingMemberCaller reading) {
            return reading.callAll(judges, chat, parser);
        }
        Map<String, MemberInvoker.Answer<ResponseParser.Parsed<List<ResponseParser.Judgement>>>> out =
                new LinkedHashMap<>();
        request.members().callAll(judges, chat).forEach((judge, r) -> out.put(judge, new MemberInvoker.Answer<>(r,
                parser.apply(r.text()), Redaction.excerpt(r.text(), Diagnostic.MAX_DETAIL_CHARS))));
        return out;
    }

    /**
     * The entities a judgement is about: those of its exact text, else those of its text normalized; of its type
     * when it names one.
     */
    private static List<Integer> match(List<TypedSpan> entities, Map<String, List<Integer>> byText,
                                       Map<String, List<Integer>> byNormal, ResponseParser.Judgement j) {
        String type = j.type().strip().toLowerCase(Locale.ROOT);
        List<Integer> exact = ofType(entities, byText.getOrDefault(j.span(), List.of()), type);
        return !exact.isEmpty() ? exact
                : ofType(entities, byNormal.getOrDefault(SpanAnchor.normalize(j.span()), List.of()), type);
    }

    private static List<Integer> ofType(List<TypedSpan> entities, List<Integer> indices, String type) {
        if (type.isEmpty()) {
            return indices;
        }
        List<Integer> out = new ArrayList<>();
        for (int i : indices) {
            if (entities.get(i).type().toLowerCase(Locale.ROOT).equals(type)) {
                out.add(i);
            }
        }
        return out;
    }
}
