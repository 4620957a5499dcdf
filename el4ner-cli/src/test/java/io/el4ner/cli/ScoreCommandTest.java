package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code el4ner score} through {@link Main#run}: the output contract and every bad input. */
class ScoreCommandTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * conlleval.pl (2004) on this file: "processed 17 tokens with 8 phrases; found: 7 phrases; correct: 4."
     * LOC 1 2 3, MISC 0 0 1, ORG 1 3 1, PER 2 3 2 (correct, gold, predicted).
     */
    private static final String PER_TYPE = """
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

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p.toString();
    }

    private static void assertScore(JsonNode n, int tp, int fp, int fn) {
        assertThat(n.get("tp").asInt()).isEqualTo(tp);
        assertThat(n.get("fp").asInt()).isEqualTo(fp);
        assertThat(n.get("fn").asInt()).isEqualTo(fn);
        double p = tp == 0 ? 0 : (double) tp / (tp + fp);
        double r = tp == 0 ? 0 : (double) tp / (tp + fn);
        assertThat(n.get("precision").asDouble()).isCloseTo(p, within(1e-12));
        assertThat(n.get("recall").asDouble()).isCloseTo(r, within(1e-12));
        assertThat(n.get("f1").asDouble()).isCloseTo(p + r == 0 ? 0 : 2 * p * r / (p + r), within(1e-12));
        assertThat(n.get("precision").isNumber()).isTrue();
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void score_conlleval_printsMicroAndPerTypeCountsLikeConlleval() throws IOException {
        String f = file("pred.txt", PER_TYPE);
        Run r = run("score", "--format", "conlleval", f);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).endsWith("}\n").doesNotContain("\n{");
        JsonNode j = r.json();
        assertThat(names(j)).startsWith("micro", "macro", "types");
        // tp = correct 4; fp = found 7 - 4; fn = phrases 8 - 4
        assertScore(j.get("micro"), 4, 3, 4);
        assertThat(names(j.get("types"))).containsExactly("LOC", "MISC", "ORG", "PER");
        assertScore(j.get("types").get("LOC"), 1, 2, 1);
        assertScore(j.get("types").get("MISC"), 0, 1, 0);
        assertScore(j.get("types").get("ORG"), 1, 0, 2);
        assertScore(j.get("types").get("PER"), 2, 0, 1);
        assertThat(names(j.get("types").get("PER"))).containsExactly("tp", "fp", "fn", "precision", "recall", "f1");
        assertThat(j.get("macro").get("f1").asDouble()).isCloseTo((0.4 + 0 + 0.5 + 0.8) / 4, within(1e-12));
        assertThat(j.get("mode").asText()).isEqualTo("conlleval");
        assertThat(j.get("sentences").asInt()).isEqualTo(3);
        assertThat(j.has("bootstrap")).isFalse();

        assertThat(run("score", "--format", "conlleval", "--mode", "conlleval", f).out()).isEqualTo(r.out());
        assertThat(run("score", f).out()).isEqualTo(r.out());
    }

    @Test
    void score_conllevalModeHyphenatedTypesAndIllFormedTags_countLikeTheScript() throws IOException {
        // conlleval.pl (2004) on this file: 5 tokens with 2 phrases; found: 2 phrases; correct: 2.
        //   creative-work 1 1 1 / person 1 1 1
        String f = file("wnut.txt", "Angela I-person B-person\nMerkel I-person I-person\nread O O\n"
                + "Dune B-creative-work I-creative-work\n. O O\n");
        JsonNode j = run("score", "--format", "conlleval", f).json();
        assertScore(j.get("micro"), 2, 0, 0);
        assertThat(names(j.get("types"))).containsExactly("creative-work", "person");
    }

    @Test
    void score_strictMode_countsOnlyWellFormedEntities() throws IOException {
        String f = file("pred.txt", "Angela B-PER I-PER\nMerkel I-PER I-PER\nvisited O O\nParis B-LOC B-LOC\n\n");
        JsonNode conlleval = run("score", "--format", "conlleval", f).json();
        assertScore(conlleval.get("micro"), 2, 0, 0);
        Run r = run("score", "--format", "conlleval", "--mode", "strict", f);
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode strict = r.json();
        // the predicted "I-PER I-PER" has no B-: no entity in strict IOB2
        assertScore(strict.get("micro"), 1, 0, 1);
        assertScore(strict.get("types").get("PER"), 0, 0, 1);
        assertThat(strict.get("mode").asText()).isEqualTo("strict");
        assertThat(strict.get("scheme").asText()).isEqualTo("iob2");
    }

    @Test
    void score_strictMode_detectsOrTakesBioes() throws IOException {
        // gold S-PER, B-LOC E-LOC; predicted S-PER, B-LOC I-LOC (never closed: no entity)
        String f = file("bioes.txt", "Ann S-PER S-PER\nin O O\nNew B-LOC B-LOC\nYork E-LOC I-LOC\n");
        Run r = run("score", "--mode", "strict", f);
        assertThat(r.exit()).as(r.err()).isZero();
        assertScore(r.json().get("micro"), 1, 0, 1);
        assertThat(r.json().get("scheme").asText()).isEqualTo("bioes");
        assertThat(run("score", "--mode", "strict", "--scheme", "BIOES", f).out()).isEqualTo(r.out());

        Run iob2 = run("score", "--mode", "strict", "--scheme", "iob2", f);
        assertThat(iob2.exit()).isEqualTo(2);
        assertThat(iob2.out()).isEmpty();
        assertThat(iob2.err()).contains(f).contains("line 1").contains("'S-PER'").contains("BIOES");
    }

    @Test
    void score_strictModeUnknownTagPrefix_isAnErrorNamingFileAndLine() throws IOException {
        String f = file("bad.txt", "a O O\nb B-PER B-PER\n\nc O X-PER\n");
        Run r = run("score", "--format", "conlleval", "--mode", "strict", f);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(f + ": line 4").contains("'X-PER'").contains("predicted");
        // conlleval mode takes any tag, as the script does
        assertThat(run("score", f).exit()).isZero();
    }

    @Test
    void score_emptyFile_givesZeroCounts() throws IOException {
        for (String content : List.of("", "\n\n")) {
            String f = file("empty.txt", content);
            for (String mode : List.of("conlleval", "strict")) {
                Run r = run("score", "--format", "conlleval", "--mode", mode, f);
                assertThat(r.exit()).as(r.err()).isZero();
                JsonNode j = r.json();
                assertScore(j.get("micro"), 0, 0, 0);
                assertThat(j.get("micro").get("f1").asDouble()).isZero();
                assertThat(j.get("types").size()).isZero();
                assertThat(j.get("macro").get("f1").asDouble()).isZero();
            }
        }
    }

    @Test
    void score_unknownFormat_isAUsageError() throws IOException {
        String f = file("pred.txt", PER_TYPE);
        Run r = run("score", "--format", "conll2003", f);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("unknown --format 'conll2003'").contains("conlleval");
    }

    @Test
    void score_unknownMode_isAUsageError() throws IOException {
        String f = file("pred.txt", PER_TYPE);
        Run r = run("score", "--format", "conlleval", "--mode", "lenient", f);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("unknown --mode 'lenient'").contains("conlleval, strict");
    }

    @Test
    void score_badSchemeOrBootstrap_isAUsageError() throws IOException {
        String f = file("pred.txt", PER_TYPE);
        Run iob3 = run("score", "--mode", "strict", "--scheme", "iob3", f);
        assertThat(iob3.exit()).isEqualTo(2);
        assertThat(iob3.err()).contains("unknown --scheme 'iob3'").contains("iob1, iob2, bioes");
        Run notStrict = run("score", "--scheme", "iob2", f);
        assertThat(notStrict.exit()).isEqualTo(2);
        assertThat(notStrict.err()).contains("--scheme applies only to --mode strict");
        Run zero = run("score", "--bootstrap", "0", f);
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err()).contains("--bootstrap");
        Run notANumber = run("score", "--bootstrap", "many", f);
        assertThat(notANumber.exit()).isEqualTo(2);
    }

    @Test
    void score_missingFile_isAClearError() {
        Path missing = dir.resolve("nope.txt");
        Run r = run("score", "--format", "conlleval", missing.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(missing.toString()).contains("not found");

        Run directory = run("score", dir.toString());
        assertThat(directory.exit()).isEqualTo(2);
        assertThat(directory.err()).contains("is a directory");

        Run noArgument = run("score", "--format", "conlleval");
        assertThat(noArgument.exit()).isEqualTo(2);
        assertThat(noArgument.err()).contains("FILE");
    }

    @Test
    void score_changingColumnCount_isAnErrorNamingFileAndLine() throws IOException {
        String f = file("cols.txt", "a NNP B-PER B-PER\nb NNP I-PER I-PER\n\nc I-PER O\n");
        Run r = run("score", "--format", "conlleval", f);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(f + ": line 4").contains("found 3 items but line 1 has 4");
    }

    @Test
    void score_fewerThanTwoColumns_isAnErrorNamingFileAndLine() throws IOException {
        String f = file("one.txt", "\nonly\n");
        Run r = run("score", f);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(f + ": line 2").contains("at least two");
        // tab-separated lines are one item each: the message says how items are separated
        String tabs = file("tabs.txt", "a\tB-PER\tB-PER\n");
        Run t = run("score", tabs);
        assertThat(t.exit()).isEqualTo(2);
        assertThat(t.err()).contains(tabs + ": line 1").contains("single spaces");
    }

    @Test
    void score_invalidUtf8_isAnError() throws IOException {
        Path p = dir.resolve("latin1.txt");
        Files.write(p, new byte[] {'Z', (byte) 0xFC, 'r', 'i', 'c', 'h', ' ', 'O', ' ', 'O', '\n'});
        Run r = run("score", p.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("UTF-8");
    }

    @Test
    void score_bootstrap_isSeededAndContainsThePointEstimate() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < 60; s++) {
            sb.append("A B-PER B-PER\nB O O\nC B-LOC ").append(s % 3 == 0 ? "O" : "B-LOC").append('\n');
            sb.append("D O ").append(s % 5 == 0 ? "B-ORG" : "O").append("\n\n");
        }
        String f = file("many.txt", sb.toString());
        Run a = run("score", "--bootstrap", "500", "--seed", "7", f);
        assertThat(a.exit()).as(a.err()).isZero();
        assertThat(run("score", "--bootstrap", "500", "--seed", "7", f).out()).isEqualTo(a.out());
        JsonNode b = a.json().get("bootstrap");
        assertThat(b.get("resamples").asInt()).isEqualTo(500);
        assertThat(b.get("seed").asLong()).isEqualTo(7);
        assertThat(b.get("confidence").asDouble()).isEqualTo(0.95);
        double f1 = a.json().get("micro").get("f1").asDouble();
        assertThat(b.get("f1Low").asDouble()).isLessThan(f1);
        assertThat(b.get("f1High").asDouble()).isGreaterThan(f1);
        assertThat(run("score", "--bootstrap", "500", "--seed", "8", f).out()).isNotEqualTo(a.out());
    }

    /** CoNLL-2003 (IOB1) with a prediction column: token POS chunk gold predicted. */
    private static final String IOB1 = """
            -DOCSTART- -X- -X- O O

            EU NNP I-NP I-ORG I-ORG
            rejects VBZ I-VP O O
            German JJ I-NP I-MISC I-MISC
            call NN I-NP O O
            . . O O O

            Peter NNP I-NP I-PER I-PER
            Blackburn NNP I-NP I-PER I-PER
            Anna NNP B-NP B-PER I-PER

            """;

    @Test
    void score_strictModeIob1Gold_refusedWithoutSchemeIob1AndScoredWithIt() throws IOException {
        String f = file("eng.pred", IOB1);
        for (String[] args : List.of(new String[] {"score", "--mode", "strict", f},
                new String[] {"score", "--mode", "strict", "--scheme", "iob2", f})) {
            Run r = run(args);
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).contains(f + ": line 3: gold tag 'I-ORG' after 'O' starts an entity")
                    .contains("the gold tags are IOB1").contains("3 of 4 gold entities start with I-")
                    .contains("Pass --scheme iob1");
        }
        Run r = run("score", "--mode", "strict", "--scheme", "iob1", f);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        JsonNode j = r.json();
        // gold: EU, German, Peter Blackburn, Anna; predicted: EU, German, Peter Blackburn Anna
        assertScore(j.get("micro"), 2, 1, 2);
        assertScore(j.get("types").get("PER"), 0, 1, 2);
        assertThat(names(j.get("types"))).containsExactly("MISC", "ORG", "PER");
        assertThat(j.get("scheme").asText()).isEqualTo("iob1");
        assertThat(j.get("sentences").asInt()).isEqualTo(2);
        // conlleval mode reads IOB1 as the script does: the same counts
        assertScore(run("score", f).json().get("micro"), 2, 1, 2);
        // IOB1 gold against itself is perfect
        String self = file("self.txt", IOB1.replace(" I-PER\n\n", " B-PER\n\n"));
        assertScore(run("score", "--mode", "strict", "--scheme", "iob1", self).json().get("micro"), 4, 0, 0);
    }

    @Test
    void score_strictModeIob1Predictions_refusedUnlessASchemeIsGiven() throws IOException {
        String f = file("pred.txt", "Peter B-PER I-PER\nBlackburn I-PER I-PER\nin O O\nParis B-LOC I-LOC\n\n"
                + "EU B-ORG I-ORG\n\n");
        Run r = run("score", "--mode", "strict", f);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("the predicted tags are IOB1, not IOB2 (detected): 3 of 3 predicted entities"
                + " start with I- and there are 0 B- tags").contains("Pass --scheme iob1").contains("--scheme iob2");
        assertScore(run("score", "--mode", "strict", "--scheme", "iob1", f).json().get("micro"), 3, 0, 0);
        Run iob2 = run("score", "--mode", "strict", "--scheme", "iob2", f);
        assertThat(iob2.exit()).as(iob2.err()).isZero();
        assertScore(iob2.json().get("micro"), 0, 0, 3);
    }

    @Test
    void score_strictModeIllFormedGold_isRefused() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append("Ann B-PER B-PER\nsaw O O\nRome B-LOC B-LOC\n\n");
        }
        sb.append("in O O\nOslo I-LOC B-LOC\n\n");
        String f = file("slip.txt", sb.toString());
        Run r = run("score", "--mode", "strict", f);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(f + ": line 22: gold tag 'I-LOC' after 'O' starts an entity, which IOB2"
                + " (detected; --scheme sets it) does not allow; 1 of 11 gold entities start with I-")
                .contains("Fix the gold, pass --scheme iob1").contains("--mode conlleval");
        assertThat(run("score", f).exit()).isZero();

        String bioes = file("bioes.txt", "Ann S-PER S-PER\nNew B-LOC B-LOC\nYork I-LOC E-LOC\n\n");
        Run b = run("score", "--mode", "strict", bioes);
        assertThat(b.exit()).isEqualTo(2);
        assertThat(b.err()).contains(bioes + ": line 3: gold ").contains("in BIOES an entity ends with E-")
                .contains("not well-formed BIOES (detected; --scheme sets it)");
    }

    @Test
    void score_goldOnlyFile_isRefused() throws IOException {
        // CoNLL-2003 as distributed: token POS chunk NER; the last two items are chunk and entity tags
        String f = file("eng.testb", """
                -DOCSTART- -X- -X- O

                EU NNP I-NP I-ORG
                rejects VBZ I-VP O
                German JJ I-NP I-MISC
                call NN I-NP O
                . . O O

                """);
        for (String mode : List.of("conlleval", "strict")) {
            Run r = run("score", "--mode", mode, f);
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).contains(f + ": no prediction column: the gold column (item 3 of 4) holds chunk tags"
                    + " (types NP, VP; the first 'I-NP' at line 3) and the last column entity tags (types MISC, ORG)")
                    .contains("gold-only file such as CoNLL-2003's 'token POS chunk NER'")
                    .contains("append the predicted tag to every line");
        }
        // a token and one tag: the "gold" column holds the tokens
        String two = file("two.txt", "EU I-ORG\nrejects O\nGerman I-MISC\ncall O\n");
        Run r = run("score", two);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no prediction column: the gold column (item 1 of 2) does not hold tags"
                + " (4 of 4 values are not O or B-/I-/E-/S-TYPE, the first 'EU' at line 1)");
        // a chunker's own evaluation (chunk tags in both columns) is scored
        String chunks = file("chunks.txt", "He PRP B-NP B-NP\nreckons VBZ B-VP B-VP\nthe DT B-NP B-NP\n");
        assertScore(run("score", chunks).json().get("micro"), 3, 0, 0);
    }

    @Test
    void score_wellFormedIob2File_scoresAsBeforeInBothModes() throws IOException {
        String f = file("pred.txt", PER_TYPE);
        Run strict = run("score", "--mode", "strict", f);
        assertThat(strict.exit()).as(strict.err()).isZero();
        assertThat(strict.err()).isEmpty();
        assertScore(strict.json().get("micro"), 4, 3, 4);
        assertThat(strict.json().get("scheme").asText()).isEqualTo("iob2");
        assertThat(run("score", "--mode", "strict", "--scheme", "iob2", f).out()).isEqualTo(strict.out());
        // IOB2 tags read as IOB1 decode to the same entities
        assertThat(run("score", "--mode", "strict", "--scheme", "iob1", f).json().get("micro"))
                .isEqualTo(strict.json().get("micro"));
    }

    @Test
    void score_helpAndPretty_printUsageAndIndentedJson() throws IOException {
        Run help = run("score", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: el4ner score").contains("--mode").contains("conlleval")
                .contains("strict");
        assertThat(help.err()).isEmpty();
        String f = file("pred.txt", PER_TYPE);
        Run pretty = run("score", "--pretty", f);
        assertThat(pretty.out()).contains("\n  \"micro\"");
        assertThat(pretty.json()).isEqualTo(run("score", f).json());
    }
}
