package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code score} and {@code inspect} on the real CoNLL-2003 test set (IOB1, gold only) when the shared data folder
 * is present; skipped on a fresh clone. The data is research-use only and never copied into the project.
 */
class ScoreSharedDataTest {
    @TempDir
    Path dir;

    private static Path engTestb() {
        for (String candidate : List.of("../shared/data", "../../shared/data")) {
            Path p = Path.of(candidate, "conll2003", "eng.testb");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void score_conll2003Testb_goldOnlyRefusedAndSelfScoredPerfectly() throws IOException {
        Path gold = engTestb();
        assumeThat(gold).as("shared/data is not present (a fresh clone)").isNotNull();

        ScoreCommandTest.Run goldOnly = ScoreCommandTest.run("score", "--mode", "strict", gold.toString());
        assertThat(goldOnly.exit()).isEqualTo(2);
        assertThat(goldOnly.err()).contains("no prediction column").contains("(item 3 of 4) holds chunk tags");

        // the NER column twice: token POS chunk gold gold
        Path self = dir.resolve("eng.testb.self");
        Files.writeString(self, Files.readAllLines(gold, StandardCharsets.UTF_8).stream()
                .map(l -> l.isBlank() ? "" : l + " " + l.substring(l.lastIndexOf(' ') + 1))
                .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
        ScoreCommandTest.Run iob2 = ScoreCommandTest.run("score", "--mode", "strict", self.toString());
        assertThat(iob2.exit()).isEqualTo(2);
        assertThat(iob2.err()).contains("the gold tags are IOB1").contains("5,628 of 5,648 gold entities")
                .contains("Pass --scheme iob1");
        for (String[] args : List.of(new String[] {"score", "--mode", "strict", "--scheme", "iob1", self.toString()},
                new String[] {"score", self.toString()})) {
            ScoreCommandTest.Run r = ScoreCommandTest.run(args);
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode micro = r.json().get("micro");
            assertThat(micro.get("tp").asInt()).isEqualTo(5_648);
            assertThat(micro.get("fp").asInt()).isZero();
            assertThat(micro.get("fn").asInt()).isZero();
            assertThat(micro.get("f1").asDouble()).isEqualTo(1.0);
            assertThat(r.json().get("sentences").asInt()).isEqualTo(3_453);
        }

        InspectCommandTest.Run inspect = InspectCommandTest.run("inspect", "--strict", gold.toString());
        assertThat(inspect.exit()).isEqualTo(2);
        assertThat(inspect.err()).contains("pass --scheme iob1");
    }
}
