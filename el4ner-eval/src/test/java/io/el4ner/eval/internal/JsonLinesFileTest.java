package io.el4ner.eval.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.El4nerException;
import io.el4ner.eval.internal.JsonLinesFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one torn-line rule of the JSON Lines files that el4ner appends to and reads back. */
class JsonLinesFileTest {
    private static final String FIRST = "{\"id\":\"s1\",\"text\":\"plain\"}\n";
    /** 2-, 3- and 4-byte UTF-8 characters: ë, €, 😀. */
    private static final String SECOND = "{\"id\":\"s2\",\"text\":\"Zo\u00eb paid 5\u20ac \ud83d\ude00\"}\n";

    @TempDir
    Path dir;

    private static JsonLinesFile.Damage damage(Path file) {
        return (line, problem) -> new El4nerException(file + ": line " + line + " is " + problem);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void read_lineCutAtAnyByte_ignoredThenCutOffAndWholeLineKeptThenTerminated() throws IOException {
        byte[] first = FIRST.getBytes(StandardCharsets.UTF_8);
        byte[] second = SECOND.getBytes(StandardCharsets.UTF_8);
        assertThat(second.length).isGreaterThan(SECOND.length()); // it does hold multi-byte characters
        Path file = dir.resolve("p.jsonl");
        // every cut of the second line: none of it, each of its bytes, all but the line break
        for (int cut = 0; cut < second.length; cut++) {
            byte[] torn = concat(first, Arrays.copyOf(second, cut));
            Files.write(file, torn);
            List<JsonLinesFile.Record> records = JsonLinesFile.read(file, damage(file));
            boolean whole = cut == second.length - 1;
            assertThat(records).as("cut at byte %d", cut).hasSize(whole ? 2 : 1);
            assertThat(records.get(0).json().path("id").asText()).isEqualTo("s1");
            if (whole) {
                assertThat(records.get(1).line()).isEqualTo(2);
                assertThat(records.get(1).json().path("text").asText()).isEqualTo("Zo\u00eb paid 5\u20ac \ud83d\ude00");
            }
            assertThat(JsonLinesFile.makeAppendable(file)).as("cut at byte %d", cut).isEqualTo(cut > 0);
            assertThat(Files.readAllBytes(file)).as("cut at byte %d", cut)
                    .isEqualTo(whole ? concat(first, second) : first);
            // appending now gives a whole file, read back in full
            Files.write(file, second, java.nio.file.StandardOpenOption.APPEND);
            assertThat(JsonLinesFile.read(file, damage(file))).hasSize(whole ? 3 : 2);
        }
    }

    @Test
    void read_damagedCompleteLine_isAnErrorNamingTheFileAndLine() throws IOException {
        Path file = dir.resolve("p.jsonl");
        byte[] second = SECOND.getBytes(StandardCharsets.UTF_8);
        int euro = SECOND.indexOf('\u20ac');
        int at = SECOND.substring(0, euro).getBytes(StandardCharsets.UTF_8).length;
        // a lone first byte of € in a line that has its line break, and so is not torn but damaged
        byte[] damaged = concat(Arrays.copyOf(second, at + 1), "\"}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(file, concat(FIRST.getBytes(StandardCharsets.UTF_8), damaged, second));
        assertThatThrownBy(() -> JsonLinesFile.read(file, damage(file))).isInstanceOf(El4nerException.class)
                .hasMessageStartingWith(file + ": line 2 is not valid UTF-8 (at byte " + (at + 1) + " of the line)")
                .hasMessageNotContaining("Exception");
        Files.write(file, concat(FIRST.getBytes(StandardCharsets.UTF_8), "{\"id\":\n".getBytes(StandardCharsets.UTF_8),
                second));
        assertThatThrownBy(() -> JsonLinesFile.read(file, damage(file)))
                .hasMessageStartingWith(file + ": line 2 is not JSON");
        // two records glued on one line are not one record
        Files.writeString(file, FIRST.strip() + FIRST, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JsonLinesFile.read(file, damage(file)))
                .hasMessageStartingWith(file + ": line 1 is not JSON");
    }

    @Test
    void read_blankLinesAndByteOrderMark_skippedAndFileEndingInABreakLeftAlone() throws IOException {
        Path file = dir.resolve("p.jsonl");
        Files.writeString(file, "\ufeff" + FIRST + "\n  \r\n" + SECOND, StandardCharsets.UTF_8);
        List<JsonLinesFile.Record> records = JsonLinesFile.read(file, damage(file));
        assertThat(records).extracting(JsonLinesFile.Record::line).containsExactly(1, 4);
        byte[] before = Files.readAllBytes(file);
        assertThat(JsonLinesFile.makeAppendable(file)).isFalse();
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(JsonLinesFile.makeAppendable(dir.resolve("missing.jsonl"))).isFalse();
        Files.write(file, new byte[0]);
        assertThat(JsonLinesFile.read(file, damage(file))).isEmpty();
        assertThat(JsonLinesFile.makeAppendable(file)).isFalse();
    }

    @Test
    void makeAppendable_tornLineLongerThanTheScanChunk_cutOffWhole() throws IOException {
        Path file = dir.resolve("p.jsonl");
        String longText = "\u00e9".repeat(20_000);
        byte[] line = ("{\"id\":\"s2\",\"text\":\"" + longText + "\"}\n").getBytes(StandardCharsets.UTF_8);
        byte[] first = FIRST.getBytes(StandardCharsets.UTF_8);
        Files.write(file, concat(first, Arrays.copyOf(line, 30_001))); // inside an é
        assertThat(JsonLinesFile.read(file, damage(file))).hasSize(1);
        assertThat(JsonLinesFile.makeAppendable(file)).isTrue();
        assertThat(Files.readAllBytes(file)).isEqualTo(first);
        Files.write(file, Arrays.copyOf(line, 30_001)); // the only line, torn
        assertThat(JsonLinesFile.read(file, damage(file))).isEmpty();
        assertThat(JsonLinesFile.makeAppendable(file)).isTrue();
        assertThat(Files.readAllBytes(file)).isEmpty();
    }
}
