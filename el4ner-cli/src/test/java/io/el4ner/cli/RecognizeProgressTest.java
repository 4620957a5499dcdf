package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.cli.MainFixtures.Run;
import io.el4ner.core.RecognitionProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recognize --progress}: progress lines on stderr, the same JSON on stdout. */
class RecognizeProgressTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String LINE = "\\d+/8 sentences, \\d+\\.\\d\\d sentences/s, ETA \\d+m\\d\\ds";

    @TempDir
    Path dir;

    /** Eight sentences, each naming Alice and Paris; every member call sleeps a little. */
    private String[] args(String... more) throws IOException {
        Map<String, Object> member = MainFixtures.aliceMember("m1");
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = (Map<String, Object>) member.get("parameters");
        parameters.put("delayMillis", 20);
        Path config = dir.resolve("config.json");
        Files.writeString(config, JSON.writeValueAsString(MainFixtures.config(member)), StandardCharsets.UTF_8);
        Path input = dir.resolve("text.txt");
        Files.writeString(input, "Alice flew to Paris. ".repeat(8).strip(), StandardCharsets.UTF_8);
        List<String> all = new java.util.ArrayList<>(List.of("recognize", "--config", config.toString(),
                "--input", input.toString()));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** The result without the timings, which differ from run to run. */
    private static JsonNode withoutTimings(Run r) {
        JsonNode json = r.json().deepCopy();
        ((ObjectNode) json.get("usage")).remove("wallMillis");
        json.get("usage").get("stages").forEach(s -> ((ObjectNode) s).remove("latencyMillis"));
        return json;
    }

    @Test
    void recognize_progress_goesToStderrAndLeavesStdoutAsItWas() throws IOException {
        Run plain = MainFixtures.run(args());
        Run shown = MainFixtures.run(args("--progress"));
        Run pretty = MainFixtures.run(args("--progress", "--pretty"));

        assertThat(plain.exit()).as(plain.err()).isZero();
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(plain.err()).isEmpty(); // stderr is not a terminal here: no progress unless asked
        assertThat(plain.json().get("entities")).hasSize(16);

        List<String> lines = shown.err().lines().toList();
        assertThat(lines).isNotEmpty().allMatch(l -> l.matches(LINE), "matches " + LINE);
        assertThat(lines.get(0)).startsWith("1/8 sentences, ");
        assertThat(lines.get(lines.size() - 1)).startsWith("8/8 sentences, ").endsWith("ETA 0m00s");
        assertThat(lines.stream().map(l -> Integer.parseInt(l.substring(0, l.indexOf('/')))).toList())
                .isSorted().doesNotHaveDuplicates();

        assertThat(shown.out()).endsWith("\n");
        assertThat(shown.out().strip()).doesNotContain("\n").doesNotContain("sentences/s");
        assertThat(withoutTimings(shown)).isEqualTo(withoutTimings(plain));
        assertThat(withoutTimings(pretty)).isEqualTo(withoutTimings(plain));
    }

    @Test
    void recognize_noProgress_printsNothing() throws IOException {
        Run r = MainFixtures.run(args("--no-progress"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.json().get("entities")).hasSize(16);
    }

    @Test
    void help_recognize_showsTheProgressOption() {
        Run r = MainFixtures.run("recognize", "--help");
        assertThat(r.out()).contains("--[no-]progress");
    }

    private static RecognitionProgress at(int done, int total, long millis) {
        return new RecognitionProgress(done, total, Duration.ofMillis(millis));
    }

    @Test
    void printer_manyUpdates_oneLineASecondPlusTheLast() {
        StringWriter sw = new StringWriter();
        RecognizeCommand.ProgressPrinter printer = new RecognizeCommand.ProgressPrinter(new PrintWriter(sw), true);
        for (int i = 1; i <= 100; i++) {
            printer.accept(at(i, 100, i * 25L)); // 40 sentences a second, 2.5 s in all
        }
        assertThat(sw.toString().lines().toList()).containsExactly(
                "1/100 sentences, 40.00 sentences/s, ETA 0m03s",
                "41/100 sentences, 40.00 sentences/s, ETA 0m02s",
                "81/100 sentences, 40.00 sentences/s, ETA 0m01s",
                "100/100 sentences, 40.00 sentences/s, ETA 0m00s");
    }

    @Test
    void printer_notAskedForQuickText_staysQuiet() {
        StringWriter quick = new StringWriter();
        RecognizeCommand.ProgressPrinter printer = new RecognizeCommand.ProgressPrinter(new PrintWriter(quick), false);
        printer.accept(at(1, 2, 300));
        printer.accept(at(2, 2, 600));
        assertThat(quick.toString()).isEmpty();

        StringWriter slow = new StringWriter();
        printer = new RecognizeCommand.ProgressPrinter(new PrintWriter(slow), false);
        printer.accept(at(1, 3, 700));
        printer.accept(at(2, 3, 1400));
        printer.accept(at(3, 3, 2100));
        assertThat(slow.toString().lines().toList()).containsExactly(
                "2/3 sentences, 1.43 sentences/s, ETA 0m01s",
                "3/3 sentences, 1.43 sentences/s, ETA 0m00s");
    }
}
