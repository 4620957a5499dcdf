package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Strict scoring with seqeval's strict-mode semantics ({@code classification_report(..., mode='strict',
 * scheme=IOB2 | IOBES)}): entities are decoded per scheme, ill-formed ones are no entity, and gold and predicted
 * entity sets are compared exactly. Expected values are derived by hand from those rules (and were cross-checked
 * against seqeval's entity decoding on random sequences while writing this class).
 */
class StrictScorerTest {

    private static List<String> tags(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split(" +"));
    }

    private static ScoredSentence sentence(String gold, String predicted) {
        return ScoredSentence.of(tags(gold), tags(predicted));
    }

    private static ScoredSpan span(int start, int end, String type) {
        return new ScoredSpan(0, start, end, type);
    }

    @Test
    void strict_iob2_entitiesNeedABeginTag() {
        // "O I-PER I-PER" has no entity in strict IOB2 (conlleval would count one); "B-PER I-LOC" is a
        // one-token PER and no LOC; "I-LOC I-LOC" after it is no entity.
        assertThat(Scorer.strictEntities(0, tags("O I-PER I-PER O"), Scheme.IOB2)).isEmpty();
        assertThat(Scorer.strictEntities(0, tags("B-PER I-LOC I-LOC"), Scheme.IOB2))
                .containsExactly(span(0, 1, "PER"));
        assertThat(Scorer.strictEntities(0, tags("B-LOC B-LOC I-LOC O B-creative-work I-creative-work"),
                Scheme.IOB2)).containsExactly(span(0, 1, "LOC"), span(1, 3, "LOC"), span(4, 6, "creative-work"));
    }

    @Test
    void strict_bioes_entitiesMustBeClosed() {
        // S-T is an entity; B-T I-T* E-T is an entity; a B- that is not closed by E- of its type is none.
        assertThat(Scorer.strictEntities(0, tags("S-PER B-LOC I-LOC E-LOC B-PER I-PER O B-ORG E-PER S-ORG"),
                Scheme.BIOES)).containsExactly(span(0, 1, "PER"), span(1, 4, "LOC"), span(9, 10, "ORG"));
        // E- alone, I- alone: nothing; B- E- E-: the first E- closes, the second is nothing
        assertThat(Scorer.strictEntities(0, tags("E-PER I-PER B-PER E-PER E-PER"), Scheme.BIOES))
                .containsExactly(span(2, 4, "PER"));
        // an unclosed B- at the end of the sentence is nothing
        assertThat(Scorer.strictEntities(0, tags("B-PER I-PER"), Scheme.BIOES)).isEmpty();
    }

    @Test
    void strict_illFormedPredictions_differsFromConlleval() {
        // gold (IOB2): PER [0,2), LOC [3,4). Prediction: "I-PER I-PER O B-LOC".
        // conlleval: the I-PER after the start counts as a chunk [0,2) PER -> 2 correct.
        // strict: the I-PER I-PER is no entity -> tp 1 (LOC), fn 1 (PER), fp 0.
        List<ScoredSentence> s = List.of(sentence("B-PER I-PER O B-LOC", "I-PER I-PER O B-LOC"));
        assertThat(Scorer.conlleval(s).micro()).isEqualTo(new Score(2, 0, 0));
        ScoreReport strict = Scorer.strict(s, Scheme.IOB2);
        assertThat(strict.micro()).isEqualTo(new Score(1, 0, 1));
        assertThat(strict.types().keySet()).containsExactly("LOC", "PER");
        assertThat(strict.types().get("PER")).isEqualTo(new Score(0, 0, 1));
        assertThat(strict.types().get("LOC")).isEqualTo(new Score(1, 0, 0));
    }

    @Test
    void strict_typeChangeMidEntityAndConsecutiveBegins_areSeparateEntities() {
        // gold: B-PER I-PER | O | B-LOC B-LOC  -> PER[0,2) LOC[3,4) LOC[4,5)
        // pred: B-PER I-LOC | O | B-LOC I-LOC  -> PER[0,1) LOC[3,5)   (the I-LOC at 1 is dropped)
        // tp 0; fp 2; fn 3. Per type: PER tp0 fp1 fn1; LOC tp0 fp1 fn2.
        ScoreReport r = Scorer.strict(List.of(sentence("B-PER I-PER O B-LOC B-LOC", "B-PER I-LOC O B-LOC I-LOC")),
                Scheme.IOB2);
        assertThat(r.micro()).isEqualTo(new Score(0, 2, 3));
        assertThat(r.types().get("PER")).isEqualTo(new Score(0, 1, 1));
        assertThat(r.types().get("LOC")).isEqualTo(new Score(0, 1, 2));
    }

    @Test
    void strict_bioes_scoresEntities() {
        // gold: S-PER O B-LOC E-LOC       -> PER[0,1) LOC[2,4)
        // pred: S-PER O B-LOC I-LOC       -> PER[0,1)  (B-LOC I-LOC is never closed: no entity)
        ScoreReport r = Scorer.strict(List.of(sentence("S-PER O B-LOC E-LOC", "S-PER O B-LOC I-LOC")),
                Scheme.BIOES);
        assertThat(r.micro()).isEqualTo(new Score(1, 0, 1));
        assertThat(r.types().get("LOC")).isEqualTo(new Score(0, 0, 1));
    }

    @Test
    void strict_sentenceBoundary_endsEntities() {
        // each sentence is decoded alone; the I-PER that starts sentence 2 is no entity
        List<ScoredSentence> s = List.of(sentence("O B-PER", "O B-PER"), sentence("I-PER O", "I-PER O"));
        assertThat(Scorer.strict(s, Scheme.IOB2).micro()).isEqualTo(new Score(1, 0, 0));
    }

    @Test
    void detectStrictScheme_tags_detectsTheScheme() {
        assertThat(Scorer.detectStrictScheme(List.of(sentence("B-PER I-PER", "B-PER O")))).isEqualTo(Scheme.IOB2);
        assertThat(Scorer.detectStrictScheme(List.of(sentence("B-PER E-PER", "O O")))).isEqualTo(Scheme.BIOES);
        assertThat(Scorer.detectStrictScheme(List.of(sentence("O", "S-PER")))).isEqualTo(Scheme.BIOES);
        assertThat(Scorer.detectStrictScheme(List.of())).isEqualTo(Scheme.IOB2);
    }

    @Test
    void strict_unknownTag_isAnErrorNamingTheLine() {
        ConllevalFile file = ConllevalFile.parse("a O O\nb B-PER B-PER\n\nc E-PER B-PER\n");
        assertThatThrownBy(() -> file.scoreStrict(Scheme.IOB2))
                .isInstanceOf(StrictTagException.class)
                .hasMessageContaining("line 4")
                .hasMessageContaining("'E-PER'")
                .hasMessageContaining("gold")
                .hasMessageContaining("BIOES")
                .satisfies(e -> {
                    StrictTagException t = (StrictTagException) e;
                    assertThat(t.line()).isEqualTo(4);
                    assertThat(t.sentence()).isEqualTo(1);
                    assertThat(t.token()).isZero();
                    assertThat(t.tag()).isEqualTo("E-PER");
                });
        for (String bad : List.of("X-PER", "PER", "B-", "b-PER", "BI-PER", "B")) {
            assertThatThrownBy(() -> Scorer.strict(List.of(sentence("O", bad)), Scheme.BIOES))
                    .as(bad).isInstanceOf(StrictTagException.class)
                    .hasMessageContaining("sentence 0, token 0").hasMessageContaining("predicted");
        }
        assertThatThrownBy(() -> Scorer.strict(List.of(sentence("I-PER", "S-PER")), Scheme.IOB1))
                .isInstanceOf(StrictTagException.class).hasMessageContaining("'S-PER'").hasMessageContaining("BIOES");
    }

    @Test
    void strict_iob1_decodesIStartsAndBAfterTheSameType() {
        // gold: CoNLL-2003 IOB1; predicted: IOB2 tags, which IOB1 reads the same way
        ScoreReport r = Scorer.strict(List.of(
                sentence("I-PER I-PER B-PER O I-LOC I-ORG", "B-PER I-PER B-PER O B-LOC I-LOC")), Scheme.IOB1);
        assertThat(r.micro()).isEqualTo(Score.of(2, 3, 4));
        assertThat(Scorer.strictEntities(0, List.of("O", "I-LOC", "I-LOC", "I-ORG", "B-ORG"), Scheme.IOB1))
                .containsExactly(new ScoredSpan(0, 1, 3, "LOC"), new ScoredSpan(0, 3, 4, "ORG"),
                        new ScoredSpan(0, 4, 5, "ORG"));
    }

    @Test
    void strict_emptyInput_scoresZero() {
        ScoreReport r = Scorer.strict(List.of(), Scheme.IOB2);
        assertThat(r.micro()).isEqualTo(Score.ZERO);
        assertThat(r.types()).isEmpty();
        assertThat(r.macroF1()).isZero();
    }
}
