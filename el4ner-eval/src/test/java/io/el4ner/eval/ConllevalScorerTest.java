package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * conlleval-compatible counts. Every expected count below was produced by running the real conlleval.pl
 * (version 2004-01-26, default options) on exactly the input shown; the numbers are its "correct", "phrases"
 * (found correct, i.e. gold) and "found" (found guessed, i.e. predicted) overall and per type.
 */
class ConllevalScorerTest {

    /** conlleval's three numbers: correct chunks, gold chunks (found correct), predicted chunks (found guessed). */
    private static int[] c(int correct, int gold, int predicted) {
        return new int[] {correct, gold, predicted};
    }

    private static Map<String, int[]> types(Object... typeAndCounts) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (int i = 0; i < typeAndCounts.length; i += 2) {
            m.put((String) typeAndCounts[i], (int[]) typeAndCounts[i + 1]);
        }
        return m;
    }

    private static ScoreReport score(String file) {
        return ConllevalFile.parse(file).scoreConlleval();
    }

    private static void assertCounts(ScoreReport r, int[] overall, Map<String, int[]> perType) {
        assertThat(r.micro()).isEqualTo(Score.of(overall[0], overall[2], overall[1]));
        assertThat(r.types().keySet()).containsExactlyElementsOf(perType.keySet());
        perType.forEach((type, n) -> assertThat(r.types().get(type)).as(type).isEqualTo(Score.of(n[0], n[2], n[1])));
    }

    @Test
    void score_hyphenatedTypes_keepEverythingAfterTheFirstDash() {
        // conlleval.pl: 8 tokens with 3 phrases; found: 4 phrases; correct: 1.
        //   creative 0 0 1 / creative-work 1 2 2 / person 0 1 1
        String file = """
                The O O
                Matrix B-creative-work B-creative-work
                Reloaded I-creative-work I-creative-work
                by O O
                Wachowski B-person B-person
                sisters I-person O

                Star B-creative-work B-creative
                Wars I-creative-work I-creative-work

                """;
        ScoreReport r = score(file);
        assertCounts(r, c(1, 3, 4), types("creative", c(0, 0, 1), "creative-work", c(1, 2, 2),
                "person", c(0, 1, 1)));
        assertThat(r.micro().precision()).isEqualTo(0.25);
        assertThat(r.micro().recall()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(r.micro().f1()).isCloseTo(0.2857142857, within(1e-9)); // conlleval: FB1 28.57
    }

    @Test
    void score_iAfterO_startsAChunk() {
        // conlleval.pl: 5 tokens with 2 phrases; found: 2 phrases; correct: 2. LOC 1 1 1 / PER 1 1 1
        String file = """
                Angela I-PER B-PER
                Merkel I-PER I-PER
                visited O O
                Paris I-LOC I-LOC
                . O O
                """;
        assertCounts(score(file), c(2, 2, 2), types("LOC", c(1, 1, 1), "PER", c(1, 1, 1)));
    }

    @Test
    void score_iob1GoldAgainstIob2PredictionsWithDocstart_countsLikeTheScript() {
        // conlleval.pl: 17 tokens with 7 phrases; found: 7 phrases; correct: 7.
        //   LOC 3 3 3 / MISC 2 2 2 / ORG 1 1 1 / PER 1 1 1
        String file = """
                -DOCSTART- -X- -X- O O

                EU NNP B-NP I-ORG B-ORG
                rejects VBZ B-VP O O
                German JJ B-NP I-MISC B-MISC
                call NN I-NP O O
                to TO B-VP O O
                boycott VB I-VP O O
                British JJ B-NP I-MISC B-MISC
                lamb NN I-NP O O
                . . O O O

                Peter NNP B-NP I-PER B-PER
                Blackburn NNP I-NP I-PER I-PER

                In IN B-PP O O
                France NNP B-NP I-LOC B-LOC
                and CC O O O
                Germany NNP B-NP I-LOC I-LOC
                Belgium NNP B-NP B-LOC B-LOC

                """;
        ScoreReport r = score(file);
        assertCounts(r, c(7, 7, 7), types("LOC", c(3, 3, 3), "MISC", c(2, 2, 2), "ORG", c(1, 1, 1),
                "PER", c(1, 1, 1)));
        assertThat(r.micro().f1()).isEqualTo(1.0);
        assertThat(r.sentenceCount()).isEqualTo(3); // the -DOCSTART- line is a boundary, not a sentence
    }

    @Test
    void score_typeChangeInsideAChunk_startsANewChunk() {
        // conlleval.pl: 6 tokens with 2 phrases; found: 4 phrases; correct: 0.
        //   LOC 0 1 2 / ORG 0 0 1 / PER 0 1 1
        String file = """
                John B-PER B-PER
                Smith I-PER I-LOC
                and O O
                New B-LOC B-LOC
                York I-LOC I-ORG
                City I-LOC I-ORG

                """;
        assertCounts(score(file), c(0, 2, 4), types("LOC", c(0, 1, 2), "ORG", c(0, 0, 1), "PER", c(0, 1, 1)));
    }

    @Test
    void score_bioesTags_followTheScriptsRules() {
        // conlleval.pl: 13 tokens with 4 phrases; found: 4 phrases; correct: 4. LOC 1 1 1 / PER 3 3 3
        // (S- has no rule of its own: consecutive S-PER S-PER S-PER, S-LOC S-LOC are one chunk each, in gold and
        // prediction alike, and "Paris London" S-LOC S-LOC vs B-LOC E-LOC is one matching LOC chunk)
        String file = """
                John B-PER B-PER
                Smith E-PER E-PER
                met O O
                Mary S-PER S-PER
                and O O
                Ann S-PER S-PER
                Bob S-PER B-PER
                in O O
                New B-LOC B-LOC
                York I-LOC I-LOC
                City E-LOC E-LOC
                Paris S-LOC B-LOC
                London S-LOC E-LOC

                """;
        assertCounts(score(file), c(4, 4, 4), types("LOC", c(1, 1, 1), "PER", c(3, 3, 3)));
    }

    @Test
    void score_sentenceBoundaryAndEndOfFile_endChunks() {
        // conlleval.pl: 9 tokens with 4 phrases; found: 4 phrases; correct: 4. LOC 2 2 2 / PER 2 2 2
        // (no newline after the last line)
        String file = "He O O\nmet O O\nJohn B-PER B-PER\n\nSmith I-PER I-PER\nspoke O O\nto O O\n"
                + "New B-LOC B-LOC\nYork I-LOC I-LOC\n\nBerlin B-LOC B-LOC";
        ScoreReport r = score(file);
        assertCounts(r, c(4, 4, 4), types("LOC", c(2, 2, 2), "PER", c(2, 2, 2)));
        assertThat(r.sentenceCount()).isEqualTo(3);
    }

    @Test
    void score_docstartAndXLines_areBoundaries() {
        // conlleval.pl: 8 tokens with 4 phrases; found: 4 phrases; correct: 4. LOC 4 4 4
        // ("-X- B-LOC B-LOC" is a boundary whatever its tags; the I-LOC after it starts a chunk)
        String file = """
                -DOCSTART- O O
                Paris B-LOC B-LOC
                -DOCSTART- O O
                is O O
                Berlin I-LOC B-LOC
                -DOCSTART- O O
                Rome B-LOC B-LOC
                -X- B-LOC B-LOC
                Madrid I-LOC I-LOC
                """;
        ScoreReport r = score(file);
        assertCounts(r, c(4, 4, 4), types("LOC", c(4, 4, 4)));
        assertThat(r.sentenceCount()).isEqualTo(4);
    }

    @Test
    void score_consecutiveBeginTagsOfTheSameType_startChunks() {
        // conlleval.pl: 7 tokens with 5 phrases; found: 5 phrases; correct: 2. LOC 1 3 2 / PER 1 2 3
        String file = """
                Paris B-LOC B-LOC
                Berlin B-LOC I-LOC
                Rome B-LOC B-LOC
                and O O
                Mary B-PER B-PER
                Ann B-PER B-PER
                Bob I-PER B-PER

                """;
        assertCounts(score(file), c(2, 5, 5), types("LOC", c(1, 3, 2), "PER", c(1, 2, 3)));
    }

    @Test
    void score_emptyFile_scoresZero() {
        // conlleval.pl: processed 0 tokens with 0 phrases; found: 0 phrases; correct: 0.
        for (String file : List.of("", "\n\n", "   \n")) {
            ScoreReport r = score(file);
            assertThat(r.micro()).isEqualTo(Score.ZERO);
            assertThat(r.types()).isEmpty();
            assertThat(r.micro().precision()).isZero();
            assertThat(r.micro().recall()).isZero();
            assertThat(r.micro().f1()).isZero();
            assertThat(r.macroF1()).isZero();
            assertThat(r.sentenceCount()).isZero();
        }
    }

    @Test
    void score_severalTypes_givesPerTypeCountsAndMacroAverages() {
        // conlleval.pl: 17 tokens with 8 phrases; found: 7 phrases; correct: 4.
        //   LOC 1 2 3 / MISC 0 0 1 / ORG 1 3 1 / PER 2 3 2
        String file = """
                Alice B-PER B-PER
                works O O
                at O O
                Acme B-ORG B-LOC
                Corp I-ORG I-LOC
                in O O
                Paris B-LOC B-LOC
                . O O

                Bob B-PER O
                and O O
                Eve B-PER B-PER
                visited O B-LOC
                Rome B-LOC I-LOC

                IBM B-ORG B-ORG
                and O O
                Apple B-ORG O
                or O B-MISC

                """;
        ScoreReport r = score(file);
        assertCounts(r, c(4, 8, 7), types("LOC", c(1, 2, 3), "MISC", c(0, 0, 1), "ORG", c(1, 3, 1),
                "PER", c(2, 3, 2)));
        assertThat(r.micro()).isEqualTo(new Score(4, 3, 4));
        // conlleval: precision 57.14%; recall 50.00%; FB1 53.33
        assertThat(r.micro().precision()).isCloseTo(4.0 / 7, within(1e-12));
        assertThat(r.micro().recall()).isEqualTo(0.5);
        assertThat(r.micro().f1()).isCloseTo(8.0 / 15, within(1e-12));
        // per-type F1 (conlleval FB1): LOC 40.00, MISC 0.00, ORG 50.00, PER 80.00 -> macro 42.5
        assertThat(r.types().get("LOC").f1()).isCloseTo(0.4, within(1e-12));
        assertThat(r.types().get("ORG").f1()).isCloseTo(0.5, within(1e-12));
        assertThat(r.types().get("PER").f1()).isCloseTo(0.8, within(1e-12));
        assertThat(r.macroF1()).isCloseTo((0.4 + 0 + 0.5 + 0.8) / 4, within(1e-12));
        // per-type precision (conlleval): 33.33, 0.00, 100.00, 100.00; recall: 50.00, 0.00, 33.33, 66.67
        assertThat(r.macroPrecision()).isCloseTo((1.0 / 3 + 0 + 1 + 1) / 4, within(1e-12));
        assertThat(r.macroRecall()).isCloseTo((0.5 + 0 + 1.0 / 3 + 2.0 / 3) / 4, within(1e-12));
    }

    @Test
    void score_bracketDotUntypedAndZeroTypes_countLikeTheScript() {
        // conlleval.pl: 15 tokens with 4 phrases; found: 4 phrases; correct: 4.
        //   (empty type) 2 2 2 / NP 2 2 2   (conlleval lists the empty type twice; "B-0" has the empty type
        //   because "0" is false in Perl)
        String file = """
                a [ [
                b ] ]
                c . .
                d B B
                e I I
                f . .
                g O O
                h X X
                i B-0 B-0
                j I-0 I
                k [-NP [-NP
                l ]-NP ]-NP
                m B-NP B-NP
                n .-NP .-NP

                o O O
                """;
        assertCounts(score(file), c(4, 4, 4), types("", c(2, 2, 2), "NP", c(2, 2, 2)));
    }

    @Test
    void score_blankLineAtTheEnd_closesChunksTheScriptDoesNotCloseAtO() {
        // conlleval.pl on "a B-NP B-NP\nb .-NP I-NP\n": 1 phrase; found: 1; correct: 1.
        assertCounts(score("a B-NP B-NP\nb .-NP I-NP\n"), c(1, 1, 1), types("NP", c(1, 1, 1)));
        // ... and with a blank line after it: 1 phrase; found: 1; correct: 0.
        assertCounts(score("a B-NP B-NP\nb .-NP I-NP\n\n"), c(0, 1, 1), types("NP", c(0, 1, 1)));
        // the same through the list API
        ScoredSentence s = ScoredSentence.of(List.of("B-NP", ".-NP"), List.of("B-NP", "I-NP"));
        assertThat(Scorer.conlleval(List.of(s), false).micro()).isEqualTo(new Score(1, 0, 0));
        assertThat(Scorer.conlleval(List.of(s)).micro()).isEqualTo(new Score(0, 1, 1));
    }

    @Test
    void parse_doubleSpaces_makeEmptyItemsAsInTheScript() {
        // "w  B-PER" is split like conlleval does (split / /): items "w", "", "B-PER": gold is the empty tag, so
        // there is no gold chunk; the prediction has one. conlleval.pl: 2 tokens with 0 phrases; found: 1; correct: 0
        ScoreReport r = score("w  B-PER\nx O O\n");
        assertCounts(r, c(0, 0, 1), types("PER", c(0, 0, 1)));
    }

    @Test
    void score_listApi_matchesTheFileApi() {
        List<ScoredSentence> sentences = new ArrayList<>();
        sentences.add(ScoredSentence.of(List.of("B-PER", "I-PER", "O"), List.of("B-PER", "I-PER", "O")));
        sentences.add(ScoredSentence.of(List.of("I-LOC", "O"), List.of("B-LOC", "B-LOC")));
        ScoreReport fromList = Scorer.conlleval(sentences);
        ScoreReport fromFile = score("a B-PER B-PER\nb I-PER I-PER\nc O O\n\nd I-LOC B-LOC\ne O B-LOC\n\n");
        assertThat(fromList).isEqualTo(fromFile);
        assertThat(fromList.micro()).isEqualTo(new Score(2, 1, 0));
    }

    @Test
    void score_fiftyThousandTokens_wellUnderASecond() {
        StringBuilder sb = new StringBuilder();
        String[] gold = {"B-PER", "I-PER", "O", "B-LOC", "O", "B-creative-work", "I-creative-work", "O", "O", "O"};
        String[] pred = {"B-PER", "I-PER", "O", "B-ORG", "O", "B-creative-work", "O", "B-LOC", "O", "O"};
        for (int i = 0; i < 50_000; i++) {
            sb.append("tok").append(i).append(' ').append(gold[i % 10]).append(' ').append(pred[i % 10]).append('\n');
            if (i % 20 == 19) {
                sb.append('\n');
            }
        }
        String text = sb.toString();
        score(text); // warm up
        long t0 = System.nanoTime();
        ScoreReport r = score(text);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // per 10 tokens: gold PER, LOC, creative-work; predicted PER, ORG, creative-work, LOC; only PER correct
        assertThat(r.micro()).isEqualTo(new Score(5_000, 15_000, 10_000));
        assertThat(r.sentenceCount()).isEqualTo(2_500);
        assertThat(ms).isLessThan(1_000);
    }
}
