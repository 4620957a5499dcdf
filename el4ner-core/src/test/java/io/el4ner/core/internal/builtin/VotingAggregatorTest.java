package io.el4ner.core.internal.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.SpanProposal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VotingAggregatorTest {
    private static final List<String> ORDER = List.of("a", "b", "c");

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void selectSpans_unionAndQuorum() {
        List<SpanProposal> p = List.of(new SpanProposal(0, 5, "Paris", List.of("a")),
                new SpanProposal(9, 15, "Merkel", List.of("a", "b")),
                new SpanProposal(20, 23, "Bob", List.of("a", "b", "c")));
        assertThat(new VotingAggregator(1, Map.of()).selectSpans(p, ORDER)).hasSize(3);
        assertThat(new VotingAggregator(2, Map.of()).selectSpans(p, ORDER)).extracting(SpanProposal::text)
                .containsExactly("Merkel", "Bob");
        assertThat(new VotingAggregator(3, Map.of()).selectSpans(p, ORDER)).extracting(SpanProposal::text)
                .containsExactly("Bob");
        // quorum is capped at the members that answered: with one survivor, its spans stand
        assertThat(new VotingAggregator(2, Map.of()).selectSpans(p, List.of("a"))).hasSize(3);
    }

    @Test
    void vote_pluralityWithConfidence() {
        var d = new VotingAggregator(1, Map.of()).vote("x", labels("a", "PER", "b", "PER", "c", "ORG"), ORDER);
        assertThat(d.label()).isEqualTo("PER");
        assertThat(d.confidence()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(d.unanimous()).isFalse();
    }

    @Test
    void vote_weightsCanOverruleTheMajority() {
        var d = new VotingAggregator(1, Map.of("c", 3.0)).vote("x", labels("a", "PER", "b", "PER", "c", "ORG"), ORDER);
        assertThat(d.label()).isEqualTo("ORG");
        assertThat(d.confidence()).isCloseTo(0.6, within(1e-9));
    }

    @Test
    void vote_tieBreaks() {
        VotingAggregator plain = new VotingAggregator(1, Map.of());
        // an entity type beats NONE on a tie
        assertThat(plain.vote("x", labels("a", "NONE", "b", "LOC"), ORDER).label()).isEqualTo("LOC");
        // equal weight and votes between types: the first member in ensemble order wins, whatever the map order
        assertThat(plain.vote("x", labels("b", "LOC", "a", "PER"), ORDER).label()).isEqualTo("PER");
        // equal weight, more votes wins
        var weighted = new VotingAggregator(1, Map.of("a", 2.0));
        assertThat(weighted.vote("x", labels("a", "PER", "b", "LOC", "c", "LOC"), ORDER).label()).isEqualTo("LOC");
    }

    @Test
    void vote_noneCanWin() {
        var d = new VotingAggregator(1, Map.of()).vote("x", labels("a", "NONE", "b", "NONE", "c", "PER"), ORDER);
        assertThat(d.label()).isEqualTo("NONE");
    }

    @Test
    void vote_unanimous() {
        assertThat(new VotingAggregator(1, Map.of()).vote("x", labels("a", "PER", "b", "PER"), ORDER).unanimous())
                .isTrue();
    }

    @Test
    void constructor_rejectsBadSettings() {
        assertThatThrownBy(() -> new VotingAggregator(0, Map.of())).isInstanceOf(El4nerConfigurationException.class);
        assertThatThrownBy(() -> new VotingAggregator(1, Map.of("a", -1.0)))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("'a'");
    }

    @Test
    void vote_weightsWhoseSumOverflowsGiveTheRightConfidence() {
        // issue 10, defect 9: 1e308 each summed to Infinity, and Infinity / Infinity = NaN made the vote throw
        for (double w : new double[] {1e308, Double.MAX_VALUE, 1e-320, Double.MIN_VALUE}) {
            VotingAggregator v = new VotingAggregator(1, Map.of("a", w, "b", w, "c", w));
            var d = v.vote("Paris", labels("a", "LOC", "b", "LOC", "c", "ORG"), ORDER);
            assertThat(d.label()).as("weight %s", w).isEqualTo("LOC");
            assertThat(d.confidence()).as("weight %s", w).isCloseTo(2.0 / 3, within(1e-12));
        }
        // one huge weight outweighs the others, as it should
        VotingAggregator mixed = new VotingAggregator(1, Map.of("a", 1e308, "b", 1.0, "c", 1e308));
        var d = mixed.vote("Paris", labels("a", "LOC", "b", "ORG", "c", "ORG"), ORDER);
        assertThat(d.label()).isEqualTo("ORG");
        assertThat(d.confidence()).isCloseTo(0.5, within(1e-12));
        // all weights zero: a plurality of votes, confidence one over the labels
        VotingAggregator zero = new VotingAggregator(1, Map.of("a", 0.0, "b", 0.0, "c", 0.0));
        var z = zero.vote("Paris", labels("a", "LOC", "b", "LOC", "c", "ORG"), ORDER);
        assertThat(z.label()).isEqualTo("LOC");
        assertThat(z.confidence()).isCloseTo(0.5, within(1e-12));
    }
}
