package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The span-level retriever chosen in a CLI configuration, end to end: {@code span-sim} with the real bundled
 * {@code onnx-sentence} encoder, its index saved to a file by the first run, loaded by the next, and refused
 * when the pool changes. The member is the scripted test double wrapped in {@code record-replay}, whose file
 * shows the prompts, and so which demonstrations were retrieved. Both files are given as relative paths, which
 * resolve against the configuration file's folder (not the current directory).
 */
class SpanSimRetrieverCliTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TEXT = "Alice flew to Paris.";

    @TempDir
    Path dir;

    private Map<String, Object> config(String record, String index, List<Map<String, Object>> pool) {
        Map<String, Object> recorder = new LinkedHashMap<>();
        recorder.put("provider", "record-replay");
        recorder.put("name", "m1");
        Map<String, Object> inner = MainFixtures.aliceMember("m1");
        inner.remove("name");
        recorder.put("parameters", Map.of("file", record, "mode", "record-all", "member", inner));
        Map<String, Object> c = MainFixtures.config(recorder);
        c.put("entityTypes", List.of(Map.of("name", "person", "description", "Names of people"),
                Map.of("name", "location", "description", "Cities, countries, places"),
                Map.of("name", "organization", "description", "Companies, teams, institutions")));
        c.put("demonstrations", Map.of("k", 1, "pool", pool));
        c.put("retriever", Map.of("provider", "span-sim", "parameters", Map.of(
                "encoder", Map.of("provider", "onnx-sentence", "parameters", Map.of("batchSize", 1)),
                "index", index)));
        return c;
    }

    private static Map<String, Object> demo(String text, Object... spans) {
        List<Map<String, Object>> entities = new ArrayList<>();
        for (int i = 0; i < spans.length; i += 2) {
            String s = (String) spans[i];
            int at = text.indexOf(s);
            entities.add(Map.of("start", at, "end", at + s.length(), "type", spans[i + 1]));
        }
        return Map.of("text", text, "entities", entities);
    }

    private static List<Map<String, Object>> pool() {
        return List.of(
                demo("Shares of Siemens fell 3 percent.", "Siemens", "organization"),
                demo("The Yankees beat the Red Sox.", "Yankees", "organization", "Red Sox", "organization"),
                demo("Carol visited Oslo.", "Carol", "person", "Oslo", "location"),
                demo("Inflation rose to 4 percent in March."));
    }

    private MainFixtures.Run recognize(Map<String, Object> config) throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Path file = dir.resolve("conf/config.json");
        Files.writeString(file, JSON.writeValueAsString(config), StandardCharsets.UTF_8);
        return MainFixtures.run("recognize", "--config", file.toString(), "--text", TEXT);
    }

    @Test
    void recognize_spanSimWithBundledEncoder_picksSimilarDemonstrationAndReusesItsIndex() throws IOException {
        Path record = dir.resolve("conf/record.jsonl");
        Path index = dir.resolve("conf/data/pool.idx");
        MainFixtures.Run first = recognize(config("record.jsonl", "data/pool.idx", pool()));
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.json().get("entities")).hasSize(2);
        assertThat(index).isRegularFile();

        // Alice ~ Carol and Paris ~ Oslo: the person-and-place sentence, not the companies or the empty one.
        // (token-overlap would see no shared token with any of them.)
        String recorded = Files.readString(record, StandardCharsets.UTF_8);
        assertThat(recorded).contains("Carol visited Oslo.").doesNotContain("Siemens").doesNotContain("Yankees")
                .doesNotContain("Inflation");

        // The second run loads the saved index instead of rebuilding it: the file is left as it was.
        byte[] saved = Files.readAllBytes(index);
        FileTime old = FileTime.fromMillis(Files.getLastModifiedTime(index).toMillis() - 60_000);
        Files.setLastModifiedTime(index, old);
        MainFixtures.Run second = recognize(config("record.jsonl", "data/pool.idx", pool()));
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.json().get("entities")).isEqualTo(first.json().get("entities"));
        assertThat(Files.getLastModifiedTime(index)).isEqualTo(old);
        assertThat(Files.readAllBytes(index)).isEqualTo(saved);
    }

    @Test
    void recognize_indexOfAnotherPool_configurationErrorNamingTheFile() throws IOException {
        Path index = dir.resolve("conf/pool.idx");
        assertThat(recognize(config("record.jsonl", "pool.idx", pool())).exit()).isZero();
        List<Map<String, Object>> other = new ArrayList<>(pool());
        other.add(demo("Bob moved to Rome.", "Bob", "person", "Rome", "location"));
        MainFixtures.Run r = recognize(config("record.jsonl", "pool.idx", other));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(index.toString()).contains("pool");
        assertThat(r.out()).isEmpty();
    }

    /**
     * Every kind of damage to a saved index is a configuration error (exit 2, as CONFIG.md documents) naming the
     * file, never a failure while recognising (exit 1) nor a result; and the file is left for the user to delete.
     */
    @Test
    void recognize_damagedIndex_configurationErrorNamingTheFile() throws IOException {
        Path index = dir.resolve("conf/pool.idx");
        assertThat(recognize(config("record.jsonl", "pool.idx", pool())).exit()).isZero();
        byte[] good = Files.readAllBytes(index);
        Map<String, byte[]> damaged = new LinkedHashMap<>();
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x01;
        damaged.put("a flipped byte", flipped);
        damaged.put("truncated", java.util.Arrays.copyOf(good, good.length - 7));
        damaged.put("empty", new byte[0]);
        damaged.put("garbage", "this is not an index\n".repeat(40).getBytes(StandardCharsets.UTF_8));
        damaged.put("extra bytes", java.util.Arrays.copyOf(good, good.length + 5));
        damaged.put("another format version", versioned(good, 99));
        for (Map.Entry<String, byte[]> d : damaged.entrySet()) {
            Files.write(index, d.getValue());
            MainFixtures.Run r = recognize(config("record.jsonl", "pool.idx", pool()));
            assertThat(r.exit()).as(d.getKey() + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(d.getKey()).contains(index.toString()).startsWith("error: ")
                    .doesNotContain("Exception");
            assertThat(r.out()).as(d.getKey()).isEmpty();
            assertThat(Files.readAllBytes(index)).as(d.getKey()).isEqualTo(d.getValue());
        }
    }

    private static byte[] versioned(byte[] index, int version) {
        byte[] b = index.clone();
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(8, version);
        return b;
    }

    /**
     * The index and a recording file are written by the run itself (the first run saves the index, every run
     * records answers), so they are recorded by path, not content: an evaluate run cut short resumes (issue 11).
     */
    @Test
    void evaluate_savedIndexAndRecordedAnswers_resumes() throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Path file = dir.resolve("conf/config.json");
        Files.writeString(file, JSON.writeValueAsString(config("record.jsonl", "data/pool.idx", pool())),
                StandardCharsets.UTF_8);
        Path gold = dir.resolve("gold.conll");
        Files.writeString(gold, "Alice\tB-person\nflew\tO\nto\tO\nParis\tB-location\n.\tO\n\n"
                + "Bob\tB-person\nleft\tO\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("run");
        MainFixtures.Run first = MainFixtures.run("evaluate", "-c", file.toString(), "-d", gold.toString(), "-o",
                out.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(dir.resolve("conf/data/pool.idx")).isNotEmptyFile();
        assertThat(JSON.readTree(out.resolve("run.json").toFile()).path("fingerprint").path("configFiles").size())
                .isZero();
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        Files.write(out.resolve("predictions.jsonl"), lines.subList(0, 1));
        MainFixtures.Run resumed = MainFixtures.run("evaluate", "-c", file.toString(), "-d", gold.toString(), "-o",
                out.toString());
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.json().path("resumed").asInt()).isEqualTo(1);
        assertThat(resumed.json().path("recognized").asInt()).isEqualTo(1);
    }
}
