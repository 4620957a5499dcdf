package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.PredictionFiles;
import io.el4ner.eval.ScoreReport;
import io.el4ner.eval.ScoredSpan;
import io.el4ner.eval.Scorer;
import io.el4ner.eval.TokenSpan;
import io.el4ner.eval.testing.GoldRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String GOLD = GoldRun.ENGLISH;

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
    private Path predictions(String name, java.util.function.BiFunction<Integer, List<LabeledSpan>, List<LabeledSpan>> edit)
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

    private Path config(Path... files) throws IOException {
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

    private List<Path> threeRuns() throws IOException {
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

    @Test
    void evaluate_singleMemberRowsEqualScoringEachPredictionsFileAlone() throws IOException {
        List<Path> files = threeRuns();
        Path out = dir.resolve("run");
        MainTest.Run r = MainTest.run("evaluate", "--config", config(files.toArray(Path[]::new)).toString(),
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
        MainTest.Run score = MainTest.run("score", "--format", "conlleval", out.resolve("predictions.conll").toString());
        assertThat(score.exit()).as(score.err()).isZero();
        assertThat(score.json().path("micro")).isEqualTo(report.path("overall").path("micro"));
        assertThat(report.path("conllLeftOut").asInt()).isZero();
    }

    @Test
    void evaluate_resumedRunEqualsAnUninterruptedOne() throws IOException {
        List<Path> files = threeRuns();
        Path cfg = config(files.toArray(Path[]::new));
        Path whole = dir.resolve("whole");
        assertThat(MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", whole.toString())
                .exit()).isZero();
        Path cut = dir.resolve("cut");
        Files.createDirectories(cut);
        Files.copy(whole.resolve("run.json"), cut.resolve("run.json"));
        List<String> lines = Files.readAllLines(whole.resolve("predictions.jsonl"));
        // two sentences done, the third torn mid-write by a crash
        Files.writeString(cut.resolve("predictions.jsonl"), lines.get(0) + "\n" + lines.get(1) + "\n"
                + lines.get(2).substring(0, 40), StandardCharsets.UTF_8);
        MainTest.Run resumed = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
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
        MainTest.Run again = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                cut.toString());
        assertThat(again.json().path("recognized").asInt()).isZero();
        assertThat(again.json().path("resumed").asInt()).isEqualTo(4);
        assertThat(again.json().fieldNames()).toIterable().containsExactly("sentences", "recognized", "resumed",
                "f1", "report");
    }

    // --- resume only the same run (issue 11) ---------------------------------------------------------------------

    /** A configuration with one {@code simulated} member answering from {@link #gold}, as JSON text. */
    private String simulatedConfig(double missRate) throws IOException {
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

    private MainTest.Run evaluate(Path cfg, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                out.toString()));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    /**
     * Issue 11's case: missRate 0.3 → 0.9 in the configuration and the same --out. The run is refused (exit 2) with
     * what changed and how to start over, the old predictions are left as they are; --restart starts over; a
     * configuration that only differs in whitespace, key order or 1 vs 1.0 resumes.
     */
    @Test
    void evaluate_aChangedConfigurationIsNotResumedButRestarted() throws IOException {
        Path cfg = dir.resolve("sim.json");
        Files.writeString(cfg, simulatedConfig(0.3));
        Path out = dir.resolve("run");
        MainTest.Run first = evaluate(cfg, out);
        assertThat(first.exit()).as(first.err()).isZero();
        byte[] predictions = Files.readAllBytes(out.resolve("predictions.jsonl"));

        Files.writeString(cfg, simulatedConfig(0.9));
        MainTest.Run changed = evaluate(cfg, out);
        assertThat(changed.exit()).as(changed.err()).isEqualTo(2);
        assertThat(changed.out()).isEmpty();
        assertThat(changed.err()).contains(out + " holds a run made with other inputs")
                .contains("the configuration changed: $.members[0].parameters.missRate 0.3 → 0.9")
                .contains("Add --restart to delete that run's outputs in " + out + " and start over")
                .doesNotContain("resuming");
        assertThat(Files.readAllBytes(out.resolve("predictions.jsonl"))).isEqualTo(predictions);

        MainTest.Run restarted = evaluate(cfg, out, "--restart");
        assertThat(restarted.exit()).as(restarted.err()).isZero();
        assertThat(restarted.err()).contains("starting over in " + out + ": removed the previous run's run.json, "
                + "predictions.jsonl, sentence-ids.txt, predictions.conll, report.json, report.md, report.html");
        assertThat(restarted.json().path("recognized").asInt()).isEqualTo(4);
        assertThat(restarted.json().path("resumed").asInt()).isZero();
        assertThat(Files.readAllLines(out.resolve("predictions.jsonl"))).hasSize(4);

        // the same content written otherwise: reordered keys, other whitespace, 0.90 and seed 3.0
        JsonNode tree = JSON.readTree(simulatedConfig(0.9));
        String reordered = "{\n  \"members\" : [ {\"parameters\": {\"seed\": 3.0, \"missRate\": 0.90, \"gold\": \""
                + gold.getFileName() + "\"}, \"name\": \"sim\", \"provider\": \"simulated\"} ],\n  \"entityTypes\": "
                + tree.get("entityTypes") + "\n}\n";
        Files.writeString(cfg, reordered);
        MainTest.Run same = evaluate(cfg, out);
        assertThat(same.exit()).as(same.err()).isZero();
        assertThat(same.err()).contains("resuming the run in " + out);
        assertThat(same.json().path("recognized").asInt()).isZero();
        assertThat(same.json().path("resumed").asInt()).isEqualTo(4);
    }

    /** The files the configuration names, the data and the options are part of the run too. */
    @Test
    void evaluate_changedFilesDataOrOptionsAreNotResumed() throws IOException {
        Path cfg = dir.resolve("sim.json");
        Files.writeString(cfg, simulatedConfig(0.3));
        Path out = dir.resolve("run");
        assertThat(evaluate(cfg, out).exit()).isZero();
        JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
        assertThat(run.path("fingerprint").path("configFiles").path("$.members[0].parameters.gold")
                .path("sha256").asText()).hasSize(64);

        // the simulated member's gold file (also the data here): both are named
        String before = Files.readString(gold);
        Files.writeString(gold, before.replace("Paris\tB-location", "Paris\tB-person"));
        MainTest.Run r = evaluate(cfg, out);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("the content of gold.conll (named by $.members[0].parameters.gold) changed")
                .contains("the content of data file " + dir.getFileName() + "/gold.conll changed");
        Files.writeString(gold, before);

        assertThat(evaluate(cfg, out, "--seed", "2").err()).contains("  - --seed was 1, now 2\n");
        assertThat(evaluate(cfg, out, "--scheme", "iob1").err()).contains("--scheme was iob2, now iob1");
        assertThat(evaluate(cfg, out, "--language", "en").err()).contains("--language was [\"und\"], now [\"en\"]");
        assertThat(evaluate(cfg, out, "--column", "2").err()).contains("--column was the last, now 2");
        Path other = dir.resolve("other.conll");
        Files.writeString(other, GOLD);
        MainTest.Run more = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-d",
                other.toString(), "-o", out.toString());
        assertThat(more.exit()).isEqualTo(2);
        assertThat(more.err()).contains("the data files changed: [" + dir.getFileName() + "/gold.conll] → ["
                + dir.getFileName() + "/gold.conll, " + dir.getFileName() + "/other.conll]");

        // nothing changed: resumes; --parallel does not change predictions, so it is not part of the run
        MainTest.Run same = evaluate(cfg, out, "--parallel", "3");
        assertThat(same.exit()).as(same.err()).isZero();
        assertThat(same.json().path("resumed").asInt()).isEqualTo(4);
    }

    /**
     * A string naming a folder hashes the folder's files (an encoder's model directory), but never the run's own
     * output folder inside it: the run resumes although its predictions grew, and stops when another file changed.
     */
    @Test
    void evaluate_aNamedFolderIsHashedWithoutTheRunsOwnOutput() throws IOException {
        List<Path> files = threeRuns();
        Path cfg = config(files.toArray(Path[]::new));
        ObjectNode c = (ObjectNode) JSON.readTree(cfg.toFile());
        ((ObjectNode) c.get("entityTypes").get(0)).put("description", "."); // the configuration's folder: dir
        Files.writeString(cfg, JSON.writeValueAsString(c));
        Path out = dir.resolve("run");
        assertThat(MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString())
                .exit()).isZero();
        assertThat(JSON.readTree(out.resolve("run.json").toFile()).path("fingerprint").path("configFiles")
                .path("$.entityTypes[0].description").path("sha256").asText()).startsWith("dir:");
        MainTest.Run again = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                out.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.json().path("resumed").asInt()).isEqualTo(4);
        Files.writeString(dir.resolve("notes.txt"), "new");
        MainTest.Run changed = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                out.toString());
        assertThat(changed.exit()).isEqualTo(2);
        assertThat(changed.err()).contains("the content of . (named by $.entityTypes[0].description) changed");
    }

    /** A run.json from before fingerprints, or predictions without a run.json, is never resumed blindly. */
    @Test
    void evaluate_aRunWithoutFingerprintIsNotResumed() throws IOException {
        Path cfg = config(threeRuns().toArray(Path[]::new));
        Path out = dir.resolve("old");
        assertThat(MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString())
                .exit()).isZero();
        // the run.json an earlier el4ner wrote
        Files.writeString(out.resolve("run.json"), "{\"config\":\"" + cfg + "\",\"data\":[\"" + gold
                + "\"],\"scheme\":\"iob2\",\"column\":0,\"seed\":1}\n");
        MainTest.Run r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("does not record what its predictions depend on").contains("--restart");
        Files.delete(out.resolve("run.json"));
        r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("holds predictions.jsonl but no run.json").contains("--restart");
        r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString(), "--restart");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().path("recognized").asInt()).isEqualTo(4);
    }

    /** Secret values are never written to run.json, not even hashed; a new API key resumes the same run. */
    @Test
    void evaluate_runJsonHoldsNoSecretAndANewKeyResumes() throws IOException {
        Map<String, Object> member = new java.util.LinkedHashMap<>(MainTest.aliceMember("a"));
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = new java.util.LinkedHashMap<>((Map<String, Object>) member.get("parameters"));
        parameters.put("apiKey", "sk-first-secret-4711");
        member.put("parameters", parameters);
        Path cfg = dir.resolve("secret.json");
        Files.writeString(cfg, JSON.writeValueAsString(MainTest.config(member)));
        Path out = dir.resolve("run");
        MainTest.Run r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        String run = Files.readString(out.resolve("run.json"));
        assertThat(run).doesNotContain("sk-first-secret-4711").contains("\"apiKey\" : \"****\"");

        parameters.put("apiKey", "sk-second-secret-0815");
        Files.writeString(cfg, JSON.writeValueAsString(MainTest.config(member)));
        r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().path("resumed").asInt()).isEqualTo(4);
        assertThat(Files.readString(out.resolve("run.json"))).doesNotContain("sk-second-secret-0815");
    }

    /**
     * Ctrl-C (SIGINT) on a real process: it exits 130 as before, and now says how far it got and that the same
     * command resumes; the same command then resumes and the summary counts the resumed sentences. POSIX only
     * ({@code kill -INT}); the process is stopped once it has written two sentences, so timing does not matter.
     */
    @Test
    void evaluate_ctrlCSaysThatTheSameCommandResumes() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(System.getProperty("os.name").startsWith("Windows"),
                "needs kill -INT");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            many.append("Alice\tB-person\nflew\tO\nto\tO\nParis\tB-location\n").append(i).append("\tO\n\n");
        }
        gold = dir.resolve("many.conll");
        Files.writeString(gold, many);
        Map<String, Object> member = new java.util.LinkedHashMap<>(MainTest.aliceMember("a"));
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = new java.util.LinkedHashMap<>((Map<String, Object>) member.get("parameters"));
        parameters.put("delayMillis", 40);
        member.put("parameters", parameters);
        Path cfg = dir.resolve("slow.json");
        Files.writeString(cfg, JSON.writeValueAsString(MainTest.config(member)));
        Path out = dir.resolve("run");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "evaluate", "-c", cfg.toString(), "-d",
                gold.toString(), "-o", out.toString())
                .redirectError(err.toFile()).redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        try {
            Path predictions = out.resolve("predictions.jsonl");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!(Files.exists(predictions) && Files.readAllLines(predictions).size() >= 2)) {
                assertThat(p.isAlive()).as("evaluate ended early: %s", Files.exists(err) ? Files.readString(err) : "")
                        .isTrue();
                assertThat(System.nanoTime()).as("no sentence written in 60 s").isLessThan(deadline);
                Thread.sleep(20);
            }
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).isEqualTo(130);
        String stderr = Files.readString(err);
        assertThat(stderr).containsPattern("interrupted after \\d+ of 30 sentences; the predictions so far are kept in "
                + java.util.regex.Pattern.quote(out.resolve("predictions.jsonl").toString())
                + ": run the same command again to resume");
        int kept = Files.readAllLines(out.resolve("predictions.jsonl")).size();
        assertThat(kept).isBetween(2, 29);

        MainTest.Run resumed = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                out.toString());
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.json().path("sentences").asInt()).isEqualTo(30);
        assertThat(resumed.json().path("resumed").asInt()).isEqualTo(kept);
        assertThat(resumed.json().path("recognized").asInt()).isEqualTo(30 - kept);
        assertThat(resumed.err()).doesNotContain("interrupted");
    }

    /** The message before the first sentence of a run is done, which no process test can time. */
    @Test
    void evaluate_interruptedMessageBeforeTheFirstSentence() {
        EvaluateCommand c = new EvaluateCommand(System.out, new java.io.PrintWriter(java.io.Writer.nullWriter()));
        new picocli.CommandLine(c).parseArgs("-c", "x.json", "-d", "g.conll", "-o", "out");
        assertThat(c.interruptedMessage(-1, 200)).isEqualTo("interrupted before this run finished a sentence; the "
                + "predictions so far are kept in " + Path.of("out", "predictions.jsonl") + ": run the same command "
                + "again to resume");
        assertThat(c.interruptedMessage(52, 200)).startsWith("interrupted after 52 of 200 sentences; ");
    }

    /**
     * A record-replay member's file grows while the run records answers: it is output as much as input, so it is
     * recorded by its path, not its content, and a crashed recording run resumes (the wrapped member is compared).
     */
    @Test
    void evaluate_aRecordingRunResumesAfterACrash() throws IOException {
        ObjectNode c = (ObjectNode) JSON.readTree(simulatedConfig(0.3));
        ObjectNode sim = (ObjectNode) c.get("members").get(0);
        ObjectNode wrapper = JSON.createObjectNode().put("provider", "record-replay").put("name", "sim");
        wrapper.putObject("parameters").put("file", "answers.jsonl").set("member", JSON.createObjectNode()
                .put("provider", "simulated").set("parameters", sim.get("parameters")));
        c.putArray("members").add(wrapper);
        Path cfg = dir.resolve("record.json");
        Files.writeString(cfg, JSON.writeValueAsString(c));
        Path whole = dir.resolve("whole");
        MainTest.Run first = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                whole.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(dir.resolve("answers.jsonl")).isNotEmptyFile();
        List<String> lines = Files.readAllLines(whole.resolve("predictions.jsonl"));
        Files.write(whole.resolve("predictions.jsonl"), lines.subList(0, 2));
        MainTest.Run resumed = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                whole.toString());
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.json().path("resumed").asInt()).isEqualTo(2);
        assertThat(resumed.json().path("recognized").asInt()).isEqualTo(2);
    }

    /**
     * A crash can cut a line anywhere, inside a multi-byte character too: resuming from a line torn at every byte of
     * every 2-, 3- and 4-byte character of a line (and right before and after each, and at some ASCII positions;
     * JsonLinesFileTest cuts at every byte) exits 0 and gives the
     * predictions of an uninterrupted run, and so does a second run after it; a whole line that lost only its line
     * break is kept. And the case of issue 10: {@code {"id":"} and a lone byte 0xC3 appended to a finished run.
     */
    @Test
    void evaluate_resumesFromALineTornAtAnyByteOfAMultiByteCharacter() throws IOException {
        gold = dir.resolve("unicode.conll");
        Files.writeString(gold, """
                Bob\tB-person
                left\tO

                Zo\u00eb\tB-person
                paid\tO
                5\u20ac\tO
                in\tO
                K\u00f6ln\tB-location
                \ud83d\ude00\tO

                Nothing\tO
                here\tO
                """, StandardCharsets.UTF_8);
        sentences = ConllReader.builder().build().read(gold);
        Path cfg = config(threeRuns().toArray(Path[]::new));
        Path whole = dir.resolve("whole");
        MainTest.Run first = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                whole.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        byte[] all = Files.readAllBytes(whole.resolve("predictions.jsonl"));
        List<JsonNode> expected = withoutTimings(whole.resolve("predictions.jsonl"));
        JsonNode expectedRows = JSON.readTree(whole.resolve("report.json").toFile()).path("rows");
        int lineStart = indexOf(all, (byte) '\n', 0) + 1;
        int lineEnd = indexOf(all, (byte) '\n', lineStart); // the line break of the multi-byte line
        String line = new String(all, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8);
        assertThat(line).contains("Zo\u00eb").contains("\u20ac").contains("\ud83d\ude00");

        java.util.TreeSet<Integer> cuts = new java.util.TreeSet<>();
        for (int b = lineStart; b < lineEnd; b++) {
            if ((all[b] & 0xC0) == 0xC0) { // the first byte of a multi-byte character
                int length = (all[b] & 0xF0) == 0xF0 ? 4 : (all[b] & 0xE0) == 0xE0 ? 3 : 2;
                for (int c = b; c <= b + length; c++) {
                    cuts.add(c);
                }
            }
        }
        for (int b = lineStart; b < lineEnd; b += 41) {
            cuts.add(b); // and some ASCII positions, the first byte of the line included
        }
        cuts.add(lineEnd); // a whole line without its line break
        assertThat(cuts).hasSizeGreaterThan(20);
        for (int cut : cuts) {
            Path out = dir.resolve("cut-" + cut);
            Files.createDirectories(out);
            Files.copy(whole.resolve("run.json"), out.resolve("run.json"));
            Files.write(out.resolve("predictions.jsonl"), java.util.Arrays.copyOf(all, cut));
            for (int run = 1; run <= 2; run++) {
                MainTest.Run r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                        out.toString());
                assertThat(r.exit()).as("cut at byte %d, run %d: %s", cut, run, r.err()).isZero();
                assertThat(r.json().path("recognized").asInt()).as("cut at byte %d, run %d", cut, run)
                        .isEqualTo(run == 2 ? 0 : cut == lineEnd ? 1 : 2);
                assertThat(withoutTimings(out.resolve("predictions.jsonl"))).as("cut at byte %d", cut)
                        .isEqualTo(expected);
                assertThat(JSON.readTree(out.resolve("report.json").toFile()).path("rows")).isEqualTo(expectedRows);
            }
        }

        // issue 10's case: a finished run, then {"id":" and a lone 0xC3; the rerun leaves the predictions whole
        byte[] torn = java.util.Arrays.copyOf(all, all.length + 8);
        System.arraycopy("{\"id\":\"".getBytes(StandardCharsets.UTF_8), 0, torn, all.length, 7);
        torn[all.length + 7] = (byte) 0xC3;
        Files.write(whole.resolve("predictions.jsonl"), torn);
        for (int run = 1; run <= 2; run++) {
            MainTest.Run r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                    whole.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).doesNotContain("MalformedInput");
            assertThat(r.json().path("recognized").asInt()).isZero();
            assertThat(Files.readAllBytes(whole.resolve("predictions.jsonl"))).isEqualTo(all);
        }
    }

    /**
     * Malformed bytes in a complete line (one that ends with its line break) are damage, not a crash's cut: a clear
     * error naming the file and the line, never an exception's class name, and the file is left as it is.
     */
    @Test
    void evaluate_aDamagedCompleteLineIsAnErrorNamingFileAndLine() throws IOException {
        Path cfg = config(threeRuns().toArray(Path[]::new));
        Path out = dir.resolve("run");
        assertThat(MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString())
                .exit()).isZero();
        Path predictions = out.resolve("predictions.jsonl");
        byte[] all = Files.readAllBytes(predictions);
        int second = indexOf(all, (byte) '\n', 0) + 1;
        all[second + 3] = (byte) 0xC3; // inside line 2's "id"
        all[second + 4] = (byte) 0x28; // not a continuation byte
        Files.write(predictions, all);
        MainTest.Run r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(predictions + ": line 2 is not valid UTF-8").doesNotContain("Exception");
        assertThat(Files.readAllBytes(predictions)).isEqualTo(all);
    }

    /** A replay-predictions file named by the configuration with a damaged line: a configuration error, exit 2. */
    @Test
    void evaluate_aDamagedReplayPredictionsFileIsAConfigurationError() throws IOException {
        List<Path> files = threeRuns();
        Path cfg = config(files.toArray(Path[]::new));
        byte[] all = Files.readAllBytes(files.get(1));
        int second = indexOf(all, (byte) '\n', 0) + 1;
        all[second + 2] = (byte) 0xF0; // a 4-byte character's first byte, followed by ASCII
        Files.write(files.get(1), all);
        MainTest.Run r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                dir.resolve("run").toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(files.get(1) + ":2: not valid UTF-8").doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static List<JsonNode> withoutTimings(Path predictions) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(predictions)) {
            ObjectNode n = (ObjectNode) JSON.readTree(l);
            n.remove("wallMillis");
            n.path("usage").forEach(u -> ((ObjectNode) u).remove("latencyMillis"));
            out.add(n);
        }
        return out;
    }

    @Test
    void evaluate_sampleIsSeededAndOtherSettingsAreNotResumed() throws IOException {
        Path cfg = config(threeRuns().toArray(Path[]::new));
        Path out = dir.resolve("sampled");
        MainTest.Run r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString(),
                "--sample", "2", "--seed", "7");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> ids = Files.readAllLines(out.resolve("sentence-ids.txt"));
        assertThat(ids).hasSize(2);
        Path out2 = dir.resolve("sampled2");
        MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out2.toString(), "--sample", "2",
                "--seed", "7");
        assertThat(Files.readAllLines(out2.resolve("sentence-ids.txt"))).isEqualTo(ids);
        MainTest.Run other = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                out.toString(), "--sample", "3", "--seed", "7");
        assertThat(other.exit()).isEqualTo(2);
        assertThat(other.err()).contains("made with other inputs").contains("--sample was 2, now 3")
                .doesNotContain("--seed").contains("--restart");
    }

    // --- failures are explained (issue 11) -----------------------------------------------------------------------

    /**
     * A configuration of {@code simulated} members, each answering from its own gold file: a member fails on every
     * sentence its file lacks.
     */
    private Path simulatedMembers(String a, Path goldA, String b, Path goldB) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        var types = c.putArray("entityTypes");
        for (String t : List.of("person", "location", "corporation")) {
            types.addObject().put("name", t).put("description", t);
        }
        var members = c.putArray("members");
        for (Map.Entry<String, Path> m : List.of(Map.entry(a, goldA), Map.entry(b, goldB))) {
            members.addObject().put("provider", "simulated").put("name", m.getKey()).putObject("parameters")
                    .put("gold", m.getValue().toString()).put("seed", 3);
        }
        Path p = dir.resolve("members.json");
        Files.writeString(p, JSON.writeValueAsString(c));
        return p;
    }

    /**
     * Issue 11's case: members whose gold lacks most sentences. Each failed sentence records each member's error
     * and the usage of its failed calls; stderr names the errors (not the API's "see failures()"), the first
     * {@value EvaluateCommand#FAILURES_SHOWN} failed sentences one by one; the usage table counts the failures; the
     * summary on stderr and in the reports gives the most frequent causes, with the sentence taken out.
     */
    @Test
    void evaluate_failedSentencesRecordAndPrintEachMembersError() throws IOException {
        // 7 sentences, of which the members know only the first: 6 fail
        String more = "Eve\tB-person\nsmiled\tO\n\nFrank\tB-person\nleft\tO\n\nGrace\tB-person\nstayed\tO\n";
        Path data = dir.resolve("data.conll");
        Files.writeString(data, GOLD + "\n" + more, StandardCharsets.UTF_8);
        Path first = dir.resolve("first.conll");
        Files.writeString(first, GOLD.substring(0, GOLD.indexOf("\n\n") + 1), StandardCharsets.UTF_8);
        Path cfg = simulatedMembers("a", first, "b", first);
        Path out = dir.resolve("failing");
        MainTest.Run r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", data.toString(), "-o", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        String id2 = dir.getFileName() + "/data.conll#2";
        assertThat(r.err()).doesNotContain("failures()")
                .contains("sentence " + id2 + " failed: no member answered; their errors:\n"
                        + "  member 'a' (extraction): member 'a' has no gold data for the sentence: Bob Smith works at "
                        + "Acme Corp\n"
                        + "  member 'b' (extraction): member 'b' has no gold data for the sentence: Bob Smith works at "
                        + "Acme Corp\n")
                .contains("sentence " + dir.getFileName() + "/data.conll#6 failed")
                .doesNotContain("data.conll#7 failed")
                .contains("(more sentences failed: each one's member errors are under \"memberErrors\" in "
                        + out.resolve("predictions.jsonl"))
                .contains("6 of 7 sentences failed and 0 more were degraded; the most frequent causes of their 12 "
                        + "errors (2 distinct):\n"
                        + "  6\u00d7 member 'a' (extraction): member 'a' has no gold data for the sentence: \u2026\n"
                        + "  6\u00d7 member 'b' (extraction): member 'b' has no gold data for the sentence: \u2026\n");

        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        JsonNode failed = JSON.readTree(lines.get(1));
        // the existing fields, as before
        assertThat(failed.path("failure").asText()).startsWith("no member answered the EXTRACTION stage");
        assertThat(failed.path("degraded").asBoolean()).isTrue();
        assertThat(failed.path("entities")).isEmpty();
        // and each member's error, and the usage of the failed calls
        assertThat(failed.path("memberErrors")).hasSize(2);
        assertThat(failed.path("memberErrors").get(0).path("stage").asText()).isEqualTo("extraction");
        assertThat(failed.path("memberErrors").get(0).path("member").asText()).isEqualTo("a");
        assertThat(failed.path("memberErrors").get(0).path("kind").asText()).isEqualTo("member_failure");
        assertThat(failed.path("memberErrors").get(0).path("message").asText())
                .isEqualTo("member 'a' has no gold data for the sentence: Bob Smith works at Acme Corp");
        assertThat(failed.path("usage")).hasSize(2);
        assertThat(failed.path("usage").get(0).path("calls").asInt()).isEqualTo(1);
        assertThat(failed.path("usage").get(0).path("failures").asInt()).isEqualTo(1);
        JsonNode ok = JSON.readTree(lines.get(0));
        assertThat(ok.has("memberErrors")).isFalse();

        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertThat(report.path("failedSentences").asInt()).isEqualTo(6);
        JsonNode extractionA = null;
        for (JsonNode e : report.path("usage").path("entries")) {
            if (e.path("stage").asText().equals("extraction") && e.path("member").asText().equals("a")) {
                extractionA = e;
            }
        }
        assertThat(extractionA).isNotNull();
        assertThat(extractionA.path("calls").asInt()).isEqualTo(7);
        assertThat(extractionA.path("failures").asInt()).isEqualTo(6);
        assertThat(report.path("usage").path("stages").path("extraction").path("failures").asInt()).isEqualTo(12);
        JsonNode causes = report.path("failureCauses");
        assertThat(causes.path("errors").asInt()).isEqualTo(12);
        assertThat(causes.path("distinct").asInt()).isEqualTo(2);
        assertThat(causes.path("top")).hasSize(2);
        assertThat(causes.path("top").get(0).path("count").asInt()).isEqualTo(6);
        assertThat(causes.path("top").get(0).path("member").asText()).isEqualTo("a");
        assertThat(causes.path("top").get(0).path("cause").asText())
                .isEqualTo("member 'a' has no gold data for the sentence: \u2026");
        assertThat(Files.readString(out.resolve("report.md"))).contains("## Most frequent errors")
                .contains("| 6 | extraction | a | member 'a' has no gold data for the sentence: \u2026 |")
                .contains("| extraction | a | 7 | 6 |");
    }

    /** A sentence one member fails on is degraded, not failed: its line records that member's error too. */
    @Test
    void evaluate_degradedSentencesRecordTheFailedMembersError() throws IOException {
        Path first = dir.resolve("first.conll");
        Files.writeString(first, GOLD.substring(0, GOLD.indexOf("\n\n") + 1), StandardCharsets.UTF_8);
        Path cfg = simulatedMembers("all", gold, "one", first);
        Path out = dir.resolve("degraded");
        MainTest.Run r = evaluate(cfg, out);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain(" failed: ")
                .contains("0 of 4 sentences failed and 3 more were degraded; the most frequent causes of their 5 "
                        + "errors (2 distinct):\n"
                        + "  3\u00d7 member 'one' (extraction): member 'one' has no gold data for the sentence: "
                        + "\u2026\n"
                        + "  2\u00d7 member 'one' (classification): member 'one' has no gold data for the sentence: "
                        + "\u2026\n");
        JsonNode degraded = JSON.readTree(Files.readAllLines(out.resolve("predictions.jsonl")).get(3));
        assertThat(degraded.path("degraded").asBoolean()).isTrue();
        assertThat(degraded.has("failure")).isFalse();
        // it failed in extraction, and again when asked to label the other member's spans
        assertThat(degraded.path("memberErrors")).hasSize(2);
        assertThat(degraded.path("memberErrors").get(0).path("message").asText())
                .isEqualTo("member 'one' has no gold data for the sentence: Carol met Dave in New York");
        assertThat(degraded.path("memberErrors").get(1).path("stage").asText()).isEqualTo("classification");
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertThat(report.path("usage").path("stages").path("extraction").path("failures").asInt()).isEqualTo(3);
    }

    @Test
    void evaluate_badInput() throws IOException {
        Path cfg = config(threeRuns().toArray(Path[]::new));
        assertThat(MainTest.run("evaluate", "-c", cfg.toString(), "-d", dir.resolve("nope.conll").toString(), "-o",
                dir.resolve("x").toString()).err()).contains("no such file");
        assertThat(MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                dir.resolve("x").toString(), "--scheme", "xyz").exit()).isEqualTo(2);
        assertThat(MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                dir.resolve("x").toString(), "--format", "csv").exit()).isEqualTo(2);
        assertThat(MainTest.run("evaluate", "--help").exit()).isZero();
        // a predictions file from other gold data is an error naming the sentence, never a silently wrong score
        Path out = dir.resolve("mismatch");
        Files.createDirectories(out);
        MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        lines.set(1, lines.get(1).replace("Bob Smith", "Rob Smith"));
        Files.write(out.resolve("predictions.jsonl"), lines);
        MainTest.Run r = MainTest.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("gold.conll#2").contains("line 2");
    }
}
