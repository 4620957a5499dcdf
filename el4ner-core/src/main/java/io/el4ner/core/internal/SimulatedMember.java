package io.el4ner.core.internal;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Demonstration;
import io.el4ner.api.EntityType;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Provenance;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.TypedSpan;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.internal.llm.StageAnswers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A member that answers from gold data with controlled, independent error rates, to study the aggregation logic
 * without real models. Every random decision is a pure function of (seed, member name, sentence, span, kind of
 * decision), so answers do not depend on call order, and the same span is treated alike in every stage: a span
 * gets the same type whether the member extracted it or was asked to classify it after missing it (as a real
 * model, asked about a span it overlooked, can still type it). Errors:
 * <ul>
 *   <li>{@code missRate}: a gold span is not extracted;</li>
 *   <li>{@code boundaryRate}: a gold span is extracted one token too long or too short;</li>
 *   <li>{@code typeRate}: a span is labelled with another type of the label set;</li>
 *   <li>{@code hallucinationRate}: per sentence, the chance of proposing one non-entity token span (and labelling
 *       it with a type, since the member believes it);</li>
 *   <li>{@code verifierErrorRate}: a validation verdict is flipped.</li>
 * </ul>
 * It reads only the request's structured context.
 */
public final class SimulatedMember implements ModelMember {
    private static final Pattern TOKEN = Pattern.compile("\\S+");

    /** Error rates, each in [0, 1]. */
    public record Rates(double miss, double boundary, double type, double hallucination, double verifierError) {
        /** Validates the rates. */
        public Rates {
            for (double r : new double[] {miss, boundary, type, hallucination, verifierError}) {
                if (!(r >= 0 && r <= 1)) {
                    throw new IllegalArgumentException("error rates must be in [0, 1], got " + r);
                }
            }
        }
    }

    private final String name;
    private final Map<String, Demonstration> gold = new HashMap<>();
    private final Rates rates;
    private final long seed;

    /**
     * @param name the member's name (part of every random decision)
     * @param gold the gold sentences
     * @param rates the error rates
     * @param seed the seed
     */
    public SimulatedMember(String name, List<Demonstration> gold, Rates rates, long seed) {
        this.name = name;
        gold.forEach(d -> this.gold.putIfAbsent(d.text(), d));
        this.rates = rates;
        this.seed = seed;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        TaskContext c = request.context();
        Demonstration d = gold.get(c.sentence());
        if (d == null) {
            throw new NonRetriableBackendException(name, "member '" + name + "' has no gold data for the sentence: "
                    + ReplayPredictionsMember.abbreviate(c.sentence()));
        }
        Map<String, String> believed = beliefs(d, c.types());
        String text = switch (c.stage()) {
            case PRE_EXTRACTION, EXTRACTION -> StageAnswers.extraction(new ArrayList<>(believed.keySet()));
            case CLASSIFICATION -> StageAnswers.classification(c.spans().stream()
                    .map(s -> new TypedSpan(s, label(d, s, believed, c.types()))).toList());
            case VALIDATION -> StageAnswers.validation(c.typedSpans(), c.typedSpans().stream()
                    .map(t -> isGold(d, t.text(), t.type()) != chance(d.text(), t.text() + "\u0000" + t.type(),
                            "verify", rates.verifierError())).toList());
        };
        return ChatResponse.of(text, TokenUsage.UNREPORTED);
    }

    /** The spans this member believes in, with the type it believes, in sentence order. */
    private Map<String, String> beliefs(Demonstration d, List<EntityType> types) {
        List<int[]> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(d.text());
        while (m.find()) {
            tokens.add(new int[] {m.start(), m.end()});
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (LabeledSpan s : d.spans()) {
            String surface = d.surface(s);
            if (chance(d.text(), surface, "miss", rates.miss())) {
                continue;
            }
            String extracted = chance(d.text(), surface, "boundary", rates.boundary())
                    ? shifted(d.text(), s, tokens, surface) : surface;
            out.putIfAbsent(extracted, typed(d.text(), surface, s.type(), types));
        }
        if (chance(d.text(), "", "hallucinate", rates.hallucination()) && !tokens.isEmpty()) {
            int[] t = tokens.get((int) (unit(d.text(), "", "which-token") * tokens.size()));
            String surface = d.text().substring(t[0], t[1]);
            if (!types.isEmpty() && !out.containsKey(surface) && !isGoldText(d, surface)) {
                out.put(surface, types.get((int) (unit(d.text(), surface, "which-type") * types.size())).name());
            }
        }
        return out;
    }

    private String label(Demonstration d, String span, Map<String, String> believed, List<EntityType> types) {
        String mine = believed.get(span);
        if (mine != null) {
            return mine;
        }
        for (LabeledSpan s : d.spans()) {
            if (d.surface(s).equals(span)) {
                return typed(d.text(), span, s.type(), types);
            }
        }
        return Provenance.NOT_AN_ENTITY;
    }

    private String typed(String sentence, String span, String goldType, List<EntityType> types) {
        if (types.size() < 2 || !chance(sentence, span, "type", rates.type())) {
            return goldType;
        }
        List<String> others = types.stream().map(EntityType::name).filter(t -> !t.equals(goldType)).toList();
        return others.get((int) (unit(sentence, span, "which-other-type") * others.size()));
    }

    private String shifted(String sentence, LabeledSpan s, List<int[]> tokens, String surface) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i)[1] > s.start() && tokens.get(i)[0] < s.end()) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first < 0) {
            return surface;
        }
        boolean grow = last - first == 0 || unit(sentence, surface, "grow") < 0.5;
        if (grow && last + 1 < tokens.size()) {
            return sentence.substring(s.start(), tokens.get(last + 1)[1]);
        }
        if (grow && first > 0) {
            return sentence.substring(tokens.get(first - 1)[0], s.end());
        }
        return last > first ? sentence.substring(tokens.get(first + 1)[0], s.end()) : surface;
    }

    private static boolean isGold(Demonstration d, String text, String type) {
        return d.spans().stream().anyMatch(s -> d.surface(s).equals(text) && s.type().equals(type));
    }

    private static boolean isGoldText(Demonstration d, String text) {
        return d.spans().stream().anyMatch(s -> d.surface(s).equals(text));
    }

    private boolean chance(String sentence, String span, String what, double rate) {
        return rate > 0 && unit(sentence, span, what) < rate;
    }

    /** A uniform number in [0, 1) that depends only on the seed, this member and the arguments. */
    private double unit(String sentence, String span, String what) {
        long h = seed;
        for (String part : new String[] {name, sentence, span, what}) {
            for (int i = 0; i < part.length(); i++) {
                h = (h ^ part.charAt(i)) * 0x100000001B3L;
            }
            h = mix(h + 0x9E3779B97F4A7C15L);
        }
        return (mix(h) >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
