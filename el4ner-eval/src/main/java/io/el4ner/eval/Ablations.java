package io.el4ner.eval;

import io.el4ner.api.Entity;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.Provenance;
import io.el4ner.api.TextRange;
import io.el4ner.core.SentenceTrace;
import io.el4ner.core.TracedResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The paper's ablations, computed from one traced run with no extra model calls. Each row is a set of predicted
 * entities (character offsets in the recognised text):
 * <ul>
 *   <li>{@code member:NAME}: that member alone — its extraction answer typed by its own classification answer
 *       (spans it called {@code NONE} dropped; overlaps resolved longest first);</li>
 *   <li>{@link #UNION}: the union of the members-alone rows (conflicting types all kept);</li>
 *   <li>{@link #VOTE}: the ensemble's candidates typed by the vote, before validation (overlaps resolved longest
 *       first);</li>
 *   <li>{@link #VALIDATION}: the ensemble's final answer.</li>
 * </ul>
 * A member-alone row approximates running that member by itself: in the ensemble its classification call also
 * saw the other members' candidates, and its demonstrations were retrieved with everyone's pre-extracted spans.
 *
 * @since 0.1
 */
public final class Ablations {
    /** Row name of the union of the members alone. */
    public static final String UNION = "union";
    /** Row name of the vote before validation. */
    public static final String VOTE = "vote";
    /** Row name of the final answer. */
    public static final String VALIDATION = "validation";

    private Ablations() {
    }

    /**
     * @param member a member's name
     * @return its row name
     */
    public static String memberRow(String member) {
        return "member:" + member;
    }

    /**
     * @param traced a traced run
     * @param members the ensemble's members, in order
     * @return row name → entities, rows in the order members…, union, vote, validation
     */
    public static Map<String, List<LabeledSpan>> of(TracedResult traced, List<String> members) {
        Map<String, List<LabeledSpan>> rows = new LinkedHashMap<>();
        Set<LabeledSpan> union = new LinkedHashSet<>();
        for (String m : members) {
            List<LabeledSpan> alone = new ArrayList<>();
            for (SentenceTrace t : traced.sentences()) {
                for (TextRange r : t.extracted().getOrDefault(m, List.of())) {
                    String surface = t.sentence().substring(r.start() - t.start(), r.end() - t.start());
                    String label = t.labels().getOrDefault(surface, Map.of()).get(m);
                    if (label != null && !Provenance.NOT_AN_ENTITY.equals(label)) {
                        alone.add(new LabeledSpan(r.start(), r.end(), label));
                    }
                }
            }
            List<LabeledSpan> resolved = longestFirst(alone);
            rows.put(memberRow(m), resolved);
            union.addAll(resolved);
        }
        rows.put(UNION, sorted(new ArrayList<>(union)));
        List<LabeledSpan> vote = new ArrayList<>();
        for (SentenceTrace t : traced.sentences()) {
            Set<TextRange> candidates = new LinkedHashSet<>();
            t.extracted().values().forEach(candidates::addAll);
            for (TextRange r : candidates) {
                String surface = t.sentence().substring(r.start() - t.start(), r.end() - t.start());
                String label = t.decided().get(surface);
                if (label != null && !Provenance.NOT_AN_ENTITY.equals(label)) {
                    vote.add(new LabeledSpan(r.start(), r.end(), label));
                }
            }
        }
        rows.put(VOTE, longestFirst(vote));
        List<LabeledSpan> fin = new ArrayList<>();
        for (Entity e : traced.result().entities()) {
            fin.add(new LabeledSpan(e.start(), e.end(), e.type()));
        }
        rows.put(VALIDATION, sorted(fin));
        return rows;
    }

    private static List<LabeledSpan> longestFirst(List<LabeledSpan> spans) {
        List<LabeledSpan> order = new ArrayList<>(new LinkedHashSet<>(spans));
        order.sort(Comparator.comparingInt((LabeledSpan s) -> s.start() - s.end()).thenComparingInt(LabeledSpan::start)
                .thenComparing(LabeledSpan::type));
        List<LabeledSpan> kept = new ArrayList<>();
        for (LabeledSpan s : order) {
            if (kept.stream().noneMatch(k -> k.start() < s.end() && s.start() < k.end())) {
                kept.add(s);
            }
        }
        return sorted(kept);
    }

    private static List<LabeledSpan> sorted(List<LabeledSpan> spans) {
        spans.sort(Comparator.comparingInt(LabeledSpan::start).thenComparingInt(LabeledSpan::end)
                .thenComparing(LabeledSpan::type));
        return List.copyOf(spans);
    }
}
