package io.el4ner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.PredictionFiles;
import io.el4ner.eval.TokenSpan;
import io.el4ner.eval.testing.GoldRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tests of {@code evaluate} share: a gold file written before each test, predictions files and
 * configurations of {@code replay-predictions} or {@code simulated} members over it, and a run of the command.
 */
abstract class EvaluateFixtures {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String GOLD = GoldRun.ENGLISH;

    @TempDir
    Path dir;
    Path gold;
    List<ConllSentence> sentences;

    @BeforeEach
    void setUp() throws IOException {
        gold = dir.resolve("gold.conll");
        Files.writeString(gold, GOLD, StandardCharsets.UTF_8);
        sentences = ConllReader.builder().build().read(gold);
    }

    /** A predictions file: the gold spans of each sentence, passed through an edit. */
    Path predictions(String name, java.util.function.BiFunction<Integer, List<LabeledSpan>, List<LabeledSpan>> edit)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sentences.size(); i++) {
            ConllSentence s = sentences.get(i);
            List<LabeledSpan> spans = new ArrayList<>();
            for (TokenSpan t : s.spans()) {
                spans.add(s.toCharSpan(t));
            }
            PredictionFiles.writeJsonl(sb, new Demonstration(s.text(), edit.apply(i, spans)));
        }
        Path p = dir.resolve(name + ".jsonl");
        Files.writeString(p, sb, StandardCharsets.UTF_8);
        return p;
    }

    Path config(Path... files) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        var types = c.putArray("entityTypes");
        for (String t : List.of("person", "location", "corporation")) {
            types.addObject().put("name", t).put("description", t);
        }
        var members = c.putArray("members");
        for (int i = 0; i < files.length; i++) {
            members.addObject().put("provider", "replay-predictions").put("name", "m" + (i + 1))
                    .putObject("parameters").put("file", files[i].toString());
        }
        c.putObject("validation").put("mode", "majority");
        Path p = dir.resolve("config.json");
        Files.writeString(p, JSON.writeValueAsString(c));
        return p;
    }

    List<Path> threeRuns() throws IOException {
        // m1 misses every location; m2 calls corporations locations; m3 adds a false "Nothing"
        Path m1 = predictions("m1", (i, spans) -> spans.stream().filter(s -> !s.type().equals("location")).toList());
        Path m2 = predictions("m2", (i, spans) -> spans.stream().map(s -> s.type().equals("corporation")
                ? new LabeledSpan(s.start(), s.end(), "location") : s).toList());
        Path m3 = predictions("m3", (i, spans) -> {
            List<LabeledSpan> out = new ArrayList<>(spans);
            if (i == 2) {
                out.add(new LabeledSpan(0, 7, "person"));
            }
            return out;
        });
        return List.of(m1, m2, m3);
    }

    /** A configuration with one {@code simulated} member answering from {@link #gold}, as JSON text. */
    String simulatedConfig(double missRate) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        var types = c.putArray("entityTypes");
        for (String t : List.of("person", "location", "corporation")) {
            types.addObject().put("name", t).put("description", t);
        }
        c.putArray("members").addObject().put("provider", "simulated").put("name", "sim")
                .putObject("parameters").put("gold", gold.getFileName().toString()).put("missRate", missRate)
                .put("seed", 3);
        return JSON.writeValueAsString(c);
    }

    MainFixtures.Run evaluate(Path cfg, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                out.toString()));
        args.addAll(List.of(more));
        return MainFixtures.run(args.toArray(String[]::new));
    }

    static List<JsonNode> withoutTimings(Path predictions) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(predictions)) {
            ObjectNode n = (ObjectNode) JSON.readTree(l);
            n.remove("wallMillis");
            n.path("usage").forEach(u -> ((ObjectNode) u).remove("latencyMillis"));
            out.add(n);
        }
        return out;
    }
}
