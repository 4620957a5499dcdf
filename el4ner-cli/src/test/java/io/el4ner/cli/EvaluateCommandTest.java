package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.PredictionFiles;
import io.el4ner.eval.ScoreReport;
import io.el4ner.eval.ScoredSpan;
import io.el4ner.eval.Scorer;
import io.el4ner.eval.TokenSpan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code evaluate} end to end: its rows equal scoring each predictions file alone, a resumed run equals an
 * uninterrupted one, and bad input is reported. Resuming, interruptions and failures have their own tests.
 */
class EvaluateCommandTest extends EvaluateFixtures {
    private static ScoreReport scoreAlone(List<ConllSentence> sentences, Path file) throws IOException {
        List<Demonstration> preds = PredictionFiles.readJsonl(file);
        List<ScoredSpan> g = new ArrayList<>();
        List<ScoredSpan> p = new ArrayList<>();
        for (int i = 0; i < sentences.size(); i++) {
            ConllSentence s = sentences.get(i);
            for (TokenSpan t : s.spans()) {
                LabeledSpan c = s.toCharSpan(t);
                g.add(new ScoredSpan(i, c.start(), c.end(), c.type()));
            }
            for (LabeledSpan c : preds.get(i).spans()) {
                p.add(new ScoredSpan(i, c.start(), c.end(), c.type()));
            }
        }
        return Scorer.spans(sentences.size(), g, p);
    }

    @Test
    void evaluate_singleMemberRowsEqualScoringEachPredictionsFileAlone() throws IOException {
        List<Path> files = threeRuns();
        Path out = dir.resolve("run");
        MainFixtures.Run r = MainFixtures.run("evaluate", "--config", config(files.toArray(Path[]::new)).toString(),
                "--data", gold.toString(), "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        for (int m = 0; m < 3; m++) {
            ScoreReport alone = scoreAlone(sentences, files.get(m));
            JsonNode row = report.path("rows").path("member:m" + (m + 1)).path("micro");
            assertThat(row.path("tp").asInt()).isEqualTo(alone.micro().tp());
            assertThat(row.path("fp").asInt()).isEqualTo(alone.micro().fp());
            assertThat(row.path("fn").asInt()).isEqualTo(alone.micro().fn());
            assertThat(row.path("f1").asDouble()).isEqualTo(alone.micro().f1());
        }
        // the ensemble fixes every member's mistakes here
        assertThat(report.path("overall").path("micro").path("f1").asDouble()).isEqualTo(1.0);
        assertThat(report.path("rows").fieldNames()).toIterable().containsExactly("member:m1", "member:m2",
                "member:m3", "union", "vote", "validation");
        assertThat(report.path("validator").path("removedWrong").asInt()).isGreaterThanOrEqualTo(0);
        assertThat(r.json().path("sentences").asInt()).isEqualTo(4);
        assertThat(Files.readString(out.resolve("report.md"))).contains("| member:m1 |");
        assertThat(Files.readString(out.resolve("report.html"))).startsWith("<!DOCTYPE html>").contains("<svg");
        assertThat(Files.readAllLines(out.resolve("sentence-ids.txt"))).hasSize(4);
        assertThat(r.err()).contains("4/4 sentences");
        // the final answer as conlleval columns: `score` on it agrees with the report
        MainFixtures.Run score = MainFixtures.run("score", "--format", "conlleval", out.resolve("predictions.conll").toString());
        assertThat(score.exit()).as(score.err()).isZero();
        assertThat(score.json().path("micro")).isEqualTo(report.path("overall").path("micro"));
        assertThat(report.path("conllLeftOut").asInt()).isZero();
    }

    @Test
    void evaluate_resumedRunEqualsAnUninterruptedOne() throws IOException {
        List<Path> files = threeRuns();
        Path cfg = config(files.toArray(Path[]::new));
        Path whole = dir.resolve("whole");
        assertThat(MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", whole.toString())
                .exit()).isZero();
        Path cut = dir.resolve("cut");
        Files.createDirectories(cut);
        Files.copy(whole.resolve("run.json"), cut.resolve("run.json"));
        List<String> lines = Files.readAllLines(whole.resolve("predictions.jsonl"));
        // two sentences done, the third torn mid-write by a crash
        Files.writeString(cut.resolve("predictions.jsonl"), lines.get(0) + "\n" + lines.get(1) + "\n"
                + lines.get(2).substring(0, 40), StandardCharsets.UTF_8);
        MainFixtures.Run resumed = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                cut.toString());
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resuming").contains("2 resumed");
        assertThat(resumed.json().path("sentences").asInt()).isEqualTo(4);
        assertThat(resumed.json().path("recognized").asInt()).isEqualTo(2);
        assertThat(resumed.json().path("resumed").asInt()).isEqualTo(2);
        assertThat(withoutTimings(cut.resolve("predictions.jsonl"))).isEqualTo(withoutTimings(
                whole.resolve("predictions.jsonl")));
        assertThat(JSON.readTree(cut.resolve("report.json").toFile()).path("rows"))
                .isEqualTo(JSON.readTree(whole.resolve("report.json").toFile()).path("rows"));
        // a third run has nothing left to do
        MainFixtures.Run again = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                cut.toString());
        assertThat(again.json().path("recognized").asInt()).isZero();
        assertThat(again.json().path("resumed").asInt()).isEqualTo(4);
        assertThat(again.json().fieldNames()).toIterable().containsExactly("sentences", "recognized", "resumed",
                "f1", "report");
    }


    @Test
    void evaluate_badInput() throws IOException {
        Path cfg = config(threeRuns().toArray(Path[]::new));
        assertThat(MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", dir.resolve("nope.conll").toString(), "-o",
                dir.resolve("x").toString()).err()).contains("no such file");
        assertThat(MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                dir.resolve("x").toString(), "--scheme", "xyz").exit()).isEqualTo(2);
        assertThat(MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                dir.resolve("x").toString(), "--format", "csv").exit()).isEqualTo(2);
        assertThat(MainFixtures.run("evaluate", "--help").exit()).isZero();
        // a predictions file from other gold data is an error naming the sentence, never a silently wrong score
        Path out = dir.resolve("mismatch");
        Files.createDirectories(out);
        MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        lines.set(1, lines.get(1).replace("Bob Smith", "Rob Smith"));
        Files.write(out.resolve("predictions.jsonl"), lines);
        MainFixtures.Run r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("gold.conll#2").contains("line 2");
    }
}
