package io.el4ner.core.internal.builtin;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.Provenance;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.LabelDecision;
import io.el4ner.api.spi.SpanProposal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The EL4NER aggregation: extraction keeps a span proposed by at least {@code quorum} of the members that
 * answered (1 = union, the paper's choice); classification is a weighted plurality vote in which
 * {@code NONE} ("not an entity") is a label like any other.
 *
 * <p>Ties are broken deterministically, in this order: the larger summed weight; then more votes; then an entity
 * type over {@code NONE} (validation still follows, so a tie leans to recall); then the label of the member that
 * comes first in ensemble order. Confidence is the winner's weight over the weight of all members that answered
 * for the span. Any finite weights work, however large or small: they are scaled by the largest before summing.
 */
public final class VotingAggregator implements Aggregator {
    private final int quorum;
    private final Map<String, Double> weights;

    /**
     * @param quorum members that must propose a span, at least 1; capped at the number that answered
     * @param weights member weights, default 1; each {@code >= 0}
     */
    public VotingAggregator(int quorum, Map<String, Double> weights) {
        if (quorum < 1) {
            throw new El4nerConfigurationException("extraction quorum must be >= 1, got " + quorum);
        }
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            if (!(e.getValue() >= 0) || e.getValue().isInfinite()) {
                throw new El4nerConfigurationException("weight of member '" + e.getKey()
                        + "' must be a finite number >= 0, got " + e.getValue());
            }
        }
        this.quorum = quorum;
        this.weights = Map.copyOf(weights);
    }

    /** @return the weights configured (members not named weigh 1) */
    public Map<String, Double> weights() {
        return weights;
    }

    @Override
    public List<SpanProposal> selectSpans(List<SpanProposal> proposals, List<String> answered) {
        int needed = Math.max(1, Math.min(quorum, answered.size()));
        List<SpanProposal> out = new ArrayList<>();
        for (SpanProposal p : proposals) {
            if (p.proposedBy().size() >= needed) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public LabelDecision vote(String span, Map<String, String> labels, List<String> memberOrder) {
        if (labels.isEmpty()) {
            return new LabelDecision(Provenance.NOT_AN_ENTITY, 0, false);
        }
        // Weights are scaled by the largest one among the members that voted, so that sums cannot overflow
        // (1e308 each would give Infinity / Infinity = NaN) and tiny weights do not underflow; the shares, and so
        // the winner and the confidence, are the same as with the raw weights.
        double max = 0;
        for (String member : memberOrder) {
            if (labels.containsKey(member)) {
                max = Math.max(max, weights.getOrDefault(member, 1.0));
            }
        }
        Map<String, double[]> tally = new LinkedHashMap<>(); // label -> {weight, votes, first member rank}
        double total = 0;
        for (int rank = 0; rank < memberOrder.size(); rank++) {
            String member = memberOrder.get(rank);
            String label = labels.get(member);
            if (label == null) {
                continue;
            }
            double w = max > 0 ? weights.getOrDefault(member, 1.0) / max : 0;
            total += w;
            double[] t = tally.computeIfAbsent(label, k -> new double[] {0, 0, Double.NaN});
            t[0] += w;
            t[1] += 1;
            if (Double.isNaN(t[2])) {
                t[2] = rank;
            }
        }
        String best = null;
        double[] bestT = null;
        for (Map.Entry<String, double[]> e : tally.entrySet()) {
            if (best == null || better(e.getKey(), e.getValue(), best, bestT)) {
                best = e.getKey();
                bestT = e.getValue();
            }
        }
        if (best == null) { // labels only from members outside memberOrder: not expected
            return new LabelDecision(Provenance.NOT_AN_ENTITY, 0, false);
        }
        double confidence = total > 0 ? Math.min(1, bestT[0] / total) : 1.0 / tally.size();
        return new LabelDecision(best, confidence, tally.size() == 1);
    }

    private static boolean better(String label, double[] t, String best, double[] bt) {
        if (Double.compare(t[0], bt[0]) != 0) {
            return t[0] > bt[0];
        }
        if (t[1] != bt[1]) {
            return t[1] > bt[1];
        }
        boolean none = Provenance.NOT_AN_ENTITY.equals(label);
        boolean bestNone = Provenance.NOT_AN_ENTITY.equals(best);
        if (none != bestNone) {
            return !none;
        }
        return t[2] < bt[2];
    }
}
