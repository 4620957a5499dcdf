package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.eval.ConllReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code evaluate} after an interruption: Ctrl-C says how to resume, a crashed run resumes from a torn last line,
 * and damaged complete lines are errors naming the file and the line.
 */
class EvaluateInterruptedRunTest extends EvaluateFixtures {
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
        Map<String, Object> member = new java.util.LinkedHashMap<>(MainFixtures.aliceMember("a"));
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = new java.util.LinkedHashMap<>((Map<String, Object>) member.get("parameters"));
        parameters.put("delayMillis", 40);
        member.put("parameters", parameters);
        Path cfg = dir.resolve("slow.json");
        Files.writeString(cfg, JSON.writeValueAsString(MainFixtures.config(member)));
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

        MainFixtures.Run resumed = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
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
        MainFixtures.Run first = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                whole.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(dir.resolve("answers.jsonl")).isNotEmptyFile();
        List<String> lines = Files.readAllLines(whole.resolve("predictions.jsonl"));
        Files.write(whole.resolve("predictions.jsonl"), lines.subList(0, 2));
        MainFixtures.Run resumed = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
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
        MainFixtures.Run first = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
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
                MainFixtures.Run r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
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
            MainFixtures.Run r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
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
        assertThat(MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString())
                .exit()).isZero();
        Path predictions = out.resolve("predictions.jsonl");
        byte[] all = Files.readAllBytes(predictions);
        int second = indexOf(all, (byte) '\n', 0) + 1;
        all[second + 3] = (byte) 0xC3; // inside line 2's "id"
        all[second + 4] = (byte) 0x28; // not a continuation byte
        Files.write(predictions, all);
        MainFixtures.Run r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
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
        MainFixtures.Run r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
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
}
