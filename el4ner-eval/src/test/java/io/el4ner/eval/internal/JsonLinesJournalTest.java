package io.el4ner.eval.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesJournalTest {
    @TempDir
    Path dir;

    @Test
    void open_tornLastLine_cutOffBeforeTheFirstAppend() throws IOException {
        Path file = dir.resolve("p.jsonl");
        Files.writeString(file, "{\"id\":1}\n{\"id\":", StandardCharsets.UTF_8);
        try (JsonLinesJournal journal = JsonLinesJournal.open(file)) {
            journal.append("{\"id\":2}");
            journal.append("{\"text\":\"Zoë\"}");
        }
        assertThat(Files.readString(file, StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":1}\n{\"id\":2}\n{\"text\":\"Zoë\"}\n");
    }

    @Test
    void open_missingFileOrWholeLastRecordWithoutBreak_createsOrTerminatesIt() throws IOException {
        Path missing = dir.resolve("new.jsonl");
        try (JsonLinesJournal journal = JsonLinesJournal.open(missing)) {
            journal.append("{\"a\":1}");
        }
        assertThat(Files.readString(missing)).isEqualTo("{\"a\":1}\n");
        Path whole = dir.resolve("whole.jsonl");
        Files.writeString(whole, "{\"a\":1}");
        JsonLinesJournal.appendLocked(whole, "{\"a\":2}");
        assertThat(Files.readString(whole)).isEqualTo("{\"a\":1}\n{\"a\":2}\n");
    }
}
