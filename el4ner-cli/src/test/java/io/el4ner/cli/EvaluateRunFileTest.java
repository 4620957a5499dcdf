package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.PredictionFiles;
import io.el4ner.eval.TokenSpan;
import io.el4ner.eval.testing.GoldRun;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When {@code evaluate} records its run in OUT/run.json: only for an ensemble that could be built. */
class EvaluateRunFileTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void evaluate_configThatBuildRejects_writesNoRunAndTheCorrectedConfigRunsInTheSameOut() throws IOException {
        Path gold = dir.resolve("gold.conll");
        Files.writeString(gold, GoldRun.ENGLISH, StandardCharsets.UTF_8);
        Path predictions = goldPredictions(gold);
        Path out = dir.resolve("run");

        String[] rejected = run(config(predictions, "m1", "m1"), gold, out);
        assertThat(rejected[0]).isEqualTo(String.valueOf(Main.USAGE));
        assertThat(rejected[2]).contains("two members are named 'm1'");
        assertThat(out.resolve("run.json")).doesNotExist();
        assertThat(out.resolve("sentence-ids.txt")).doesNotExist();

        String[] corrected = run(config(predictions, "m1", "m2"), gold, out);
        assertThat(corrected[0]).as(corrected[2]).isEqualTo(String.valueOf(Main.OK));
        assertThat(corrected[2]).doesNotContain("holds a run");
        assertThat(out.resolve("run.json")).exists();
        assertThat(JSON.readTree(corrected[1]).path("sentences").asInt()).isPositive();
    }

    private String[] run(Path config, Path gold, Path out) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"evaluate", "--config", config.toString(), "--data", gold.toString(),
                "--out", out.toString()}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true,
                        StandardCharsets.UTF_8), Map.of());
        return new String[] {String.valueOf(exit), stdout.toString(StandardCharsets.UTF_8),
                stderr.toString(StandardCharsets.UTF_8)};
    }

    private Path goldPredictions(Path gold) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (ConllSentence s : ConllReader.builder().build().read(gold)) {
            List<LabeledSpan> spans = new ArrayList<>();
            for (TokenSpan t : s.spans()) {
                spans.add(s.toCharSpan(t));
            }
            PredictionFiles.writeJsonl(sb, new Demonstration(s.text(), spans));
        }
        Path p = dir.resolve("gold.jsonl");
        Files.writeString(p, sb, StandardCharsets.UTF_8);
        return p;
    }

    private Path config(Path predictions, String first, String second) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        var types = c.putArray("entityTypes");
        for (String t : List.of("person", "location", "corporation")) {
            types.addObject().put("name", t).put("description", t);
        }
        var members = c.putArray("members");
        for (String name : List.of(first, second)) {
            members.addObject().put("provider", "replay-predictions").put("name", name)
                    .putObject("parameters").put("file", predictions.toString());
        }
        Path p = dir.resolve("config.json");
        Files.writeString(p, JSON.writeValueAsString(c));
        return p;
    }
}
