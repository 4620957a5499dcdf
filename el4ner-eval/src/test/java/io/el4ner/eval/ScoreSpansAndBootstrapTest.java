package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScoreSpansAndBootstrapTest {

    @Test
    void of_zeroOverZero_isZero() {
        assertThat(Score.ZERO.precision()).isZero();
        assertThat(Score.ZERO.recall()).isZero();
        assertThat(Score.ZERO.f1()).isZero();
        Score s = new Score(3, 1, 2);
        assertThat(s.precision()).isEqualTo(0.75);
        assertThat(s.recall()).isEqualTo(0.6);
        assertThat(s.f1()).isCloseTo(2 * 0.75 * 0.6 / 1.35, within(1e-12));
        assertThat(Score.of(3, 4, 5)).isEqualTo(s);
        assertThat(new Score(0, 5, 0).f1()).isZero();
        assertThatThrownBy(() -> Score.of(3, 2, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void spans_nestedEntities_areScored() {
        // sentence 0: "Bank of China" ORG [0,3) with nested LOC "China" [2,3)
        List<ScoredSpan> gold = List.of(new ScoredSpan(0, 0, 3, "ORG"), new ScoredSpan(0, 2, 3, "LOC"),
                new ScoredSpan(1, 0, 1, "PER"));
        // prediction finds the nested LOC, the outer span with the wrong type, a duplicate, and a spurious PER
        List<ScoredSpan> predicted = List.of(new ScoredSpan(0, 2, 3, "LOC"), new ScoredSpan(0, 2, 3, "LOC"),
                new ScoredSpan(0, 0, 3, "GPE"), new ScoredSpan(1, 1, 2, "PER"));
        ScoreReport r = Scorer.spans(gold, predicted);
        // tp: LOC[2,3) ; fp: GPE[0,3), PER(1)[1,2) ; fn: ORG[0,3), PER(1)[0,1)
        assertThat(r.micro()).isEqualTo(new Score(1, 2, 2));
        assertThat(r.types().keySet()).containsExactly("GPE", "LOC", "ORG", "PER");
        assertThat(r.types().get("LOC")).isEqualTo(new Score(1, 0, 0));
        assertThat(r.types().get("GPE")).isEqualTo(new Score(0, 1, 0));
        assertThat(r.types().get("ORG")).isEqualTo(new Score(0, 0, 1));
        assertThat(r.types().get("PER")).isEqualTo(new Score(0, 1, 1));
        assertThat(r.macroF1()).isCloseTo(0.25, within(1e-12)); // (0 + 1 + 0 + 0) / 4
        assertThat(r.sentenceCount()).isEqualTo(2);
        assertThat(Scorer.spans(5, gold, predicted).sentenceCount()).isEqualTo(5);
        assertThatThrownBy(() -> Scorer.spans(1, gold, predicted)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sentence 1");
        assertThatThrownBy(() -> new ScoredSpan(0, 2, 2, "X")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScoredSpan(0, 0, 1, " ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void strict_anyTags_equalsSpanScoringOfTheDecodedEntities() {
        List<ScoredSentence> s = List.of(
                ScoredSentence.of(List.of("B-PER", "I-PER", "O"), List.of("B-PER", "O", "B-LOC")),
                ScoredSentence.of(List.of("B-LOC"), List.of("B-LOC")));
        List<ScoredSpan> gold = new ArrayList<>();
        List<ScoredSpan> pred = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            gold.addAll(Scorer.strictEntities(i, s.get(i).gold(), Scheme.IOB2));
            pred.addAll(Scorer.strictEntities(i, s.get(i).predicted(), Scheme.IOB2));
        }
        assertThat(Scorer.strict(s, Scheme.IOB2)).isEqualTo(Scorer.spans(2, gold, pred));
    }

    private static List<ScoredSentence> randomSentences(long seed, int n) {
        Random r = new Random(seed);
        List<ScoredSentence> out = new ArrayList<>();
        String[] types = {"PER", "LOC", "ORG"};
        for (int i = 0; i < n; i++) {
            List<String> gold = new ArrayList<>();
            List<String> pred = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String g = r.nextInt(3) == 0 ? "B-" + types[r.nextInt(3)] : "O";
                gold.add(g);
                pred.add(r.nextInt(4) == 0 ? (r.nextBoolean() ? "O" : "B-" + types[r.nextInt(3)]) : g);
            }
            out.add(ScoredSentence.of(gold, pred));
        }
        return out;
    }

    @Test
    void bootstrapMicroF1_seed_isDeterministicAndContainsThePointEstimate() {
        ScoreReport r = Scorer.conlleval(randomSentences(7, 200));
        BootstrapInterval a = r.bootstrapMicroF1(BootstrapInterval.DEFAULT_RESAMPLES, 42);
        BootstrapInterval b = r.bootstrapMicroF1(1000, 42);
        assertThat(a).isEqualTo(b);
        assertThat(a.estimate()).isEqualTo(r.micro().f1());
        assertThat(a.contains(a.estimate())).isTrue();
        assertThat(a.low()).isLessThan(a.estimate());
        assertThat(a.high()).isGreaterThan(a.estimate());
        assertThat(a.high() - a.low()).isBetween(0.01, 0.3);
        assertThat(a.confidence()).isEqualTo(0.95);
        assertThat(a.resamples()).isEqualTo(1000);
        assertThat(a.seed()).isEqualTo(42);

        BootstrapInterval other = r.bootstrapMicroF1(1000, 43);
        assertThat(other).isNotEqualTo(a);
        assertThat(other.contains(other.estimate())).isTrue();
        BootstrapInterval narrow = r.bootstrapMicroF1(1000, 42, 0.5);
        assertThat(narrow.low()).isGreaterThanOrEqualTo(a.low());
        assertThat(narrow.high()).isLessThanOrEqualTo(a.high());
    }

    @Test
    void bootstrapMicroF1_counts_attributedToSentencesSoThatTheyAddUp() {
        // one resample that happens to draw each sentence once has the full-data F1; with many sentences the
        // mean of the bootstrap distribution is close to the point estimate
        ScoreReport r = Scorer.strict(randomSentences(11, 400), Scheme.IOB2);
        BootstrapInterval ci = r.bootstrapMicroF1(2000, 1);
        assertThat(ci.contains(r.micro().f1())).isTrue();
        assertThat((ci.low() + ci.high()) / 2).isCloseTo(r.micro().f1(), within(0.02));
    }

    @Test
    void bootstrapMicroF1_edgeCases_areHandled() {
        ScoreReport empty = Scorer.conlleval(List.of());
        assertThat(empty.bootstrapMicroF1(10, 1)).isEqualTo(new BootstrapInterval(0, 0, 0, 0.95, 10, 1));
        ScoreReport perfect = Scorer.conlleval(List.of(ScoredSentence.of(List.of("B-PER"), List.of("B-PER"))));
        BootstrapInterval ci = perfect.bootstrapMicroF1(100, 5);
        assertThat(ci.low()).isEqualTo(1.0);
        assertThat(ci.high()).isEqualTo(1.0);
        assertThatThrownBy(() -> perfect.bootstrapMicroF1(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> perfect.bootstrapMicroF1(10, 1, 1.0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void types_any_sortedByCodePoint() {
        List<ScoredSpan> gold = List.of(new ScoredSpan(0, 0, 1, "b"), new ScoredSpan(0, 1, 2, "B"),
                new ScoredSpan(0, 2, 3, "\uD83D\uDE00"), new ScoredSpan(0, 3, 4, "\uFF21"), new ScoredSpan(0, 4, 5,
                        "a-b"));
        assertThat(Scorer.spans(gold, List.of()).types().keySet())
                .containsExactly("B", "a-b", "b", "\uFF21", "\uD83D\uDE00");
    }
}
