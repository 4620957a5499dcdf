package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionFilesTest {
    private static final ConllSentence GOLD = new ConllSentence("g", List.of("Anna", "lives", "in", "São", "Paulo"),
            List.of("B-PER", "O", "O", "B-LOC", "I-LOC"));

    @TempDir
    Path dir;

    @Test
    void writeConll_sentence_writesConllevalColumns() throws IOException {
        // predicted: "Anna" as LOC, "Paulo" alone as LOC
        List<LabeledSpan> predicted = List.of(new LabeledSpan(0, 4, "LOC"), new LabeledSpan(18, 23, "LOC"));
        StringBuilder sb = new StringBuilder();
        PredictionFiles.writeConll(sb, GOLD, GOLD.tagsFor(predicted, Scheme.IOB2));
        PredictionFiles.writeConll(sb, new ConllSentence("h", List.of("ok"), List.of("O")), List.of("O"));
        assertThat(sb).hasToString("""
                Anna B-PER B-LOC
                lives O O
                in O O
                São B-LOC O
                Paulo I-LOC B-LOC

                ok O O

                """);
        assertThatThrownBy(() -> PredictionFiles.writeConll(sb, GOLD, List.of("O")))
                .hasMessageContaining("5 tokens but 1 predicted tags");
        ConllSentence spaced = new ConllSentence("s", List.of("New York"), List.of("B-LOC"));
        assertThatThrownBy(() -> PredictionFiles.writeConll(sb, spaced, List.of("O")))
                .hasMessageContaining("'New York' holds whitespace");
    }

    @Test
    void writeJsonl_thenReadJsonl_roundTrips() throws IOException {
        StringBuilder sb = new StringBuilder();
        PredictionFiles.writeJsonl(sb, GOLD.toDemonstration());
        PredictionFiles.writeJsonl(sb, new Demonstration("\"Quote\" 😀 Zoë", List.of(new LabeledSpan(11, 14, "PER"))));
        PredictionFiles.writeJsonl(sb, new Demonstration("", List.of()));
        assertThat(sb.toString().split("\n", -1)).containsExactly(
                "{\"text\":\"Anna lives in São Paulo\",\"entities\":[{\"start\":0,\"end\":4,\"type\":\"PER\","
                        + "\"text\":\"Anna\"},{\"start\":14,\"end\":23,\"type\":\"LOC\",\"text\":\"São Paulo\"}]}",
                "{\"text\":\"\\\"Quote\\\" 😀 Zoë\",\"entities\":[{\"start\":11,\"end\":14,\"type\":\"PER\","
                        + "\"text\":\"Zoë\"}]}",
                "{\"text\":\"\",\"entities\":[]}",
                "");
        Path file = Files.writeString(dir.resolve("p.jsonl"), sb + "\n  \n", StandardCharsets.UTF_8);
        List<Demonstration> back = PredictionFiles.readJsonl(file);
        assertThat(back).hasSize(3);
        assertThat(back.get(0)).isEqualTo(GOLD.toDemonstration());
        assertThat(back.get(1).surface(back.get(1).spans().get(0))).isEqualTo("Zoë");
    }

    @Test
    void readJsonl_extraFieldsAndEntitiesWithoutText_areRead() throws IOException {
        Path file = Files.writeString(dir.resolve("x.jsonl"), "{\"id\":7,\"text\":\"Hi Bo\",\"entities\":"
                + "[{\"start\":3,\"end\":5,\"type\":\"PER\",\"confidence\":0.5}]}\n", StandardCharsets.UTF_8);
        assertThat(PredictionFiles.readJsonl(file)).containsExactly(new Demonstration("Hi Bo",
                List.of(new LabeledSpan(3, 5, "PER"))));
    }

    @Test
    void readJsonl_badEntry_namesTheFileAndLine() throws IOException {
        String ok = "{\"text\":\"Hi Bo\",\"entities\":[]}\n";
        assertBad(ok + "{\"text\":\"Hi Bo\",\"entities\":[{\"start\":3,\"end\":5,\"type\":\"PER\",\"text\":\"Bob\"}]}",
                2, "its \"text\" is not the text at [3, 5), which is 'Bo'");
        assertBad(ok + "\n{\"text\":\"Hi\",\"entities\":[{\"start\":1,\"end\":3,\"type\":\"PER\"}]}", 3,
                "needs 0 <= start < end <= 2");
        assertBad("{\"text\":\"Hi\",\"entities\":[{\"start\":\"0\",\"end\":1,\"type\":\"PER\"}]}", 1,
                "needs integer \"start\"");
        assertBad("{\"text\":\"Hi\",\"entities\":[{\"start\":0,\"end\":1,\"type\":\" \"}]}", 1, "non-blank \"type\"");
        assertBad("{\"text\":\"Hi\"}", 1, "expected an object");
        assertBad("[1,2]", 1, "expected an object");
        assertBad(ok + "{\"text\":", 2, "not JSON");
        assertBad("{\"text\":\"a\",\"entities\":[]} {}", 1, "not JSON");
    }

    @Test
    void readJsonl_lastLineWithoutLineBreak_readWhenWholeAndIgnoredWhenCutShort() throws IOException {
        String ok = "{\"text\":\"Hi Bo\",\"entities\":[]}";
        Path file = Files.writeString(dir.resolve("p.jsonl"), ok + "\n" + ok, StandardCharsets.UTF_8);
        assertThat(PredictionFiles.readJsonl(file)).hasSize(2);
        for (String torn : List.of("{\"text\":", "[1,2]", ok + " {}", "{\"text\":\"Zo\u00eb")) {
            Files.writeString(file, ok + "\n" + torn, StandardCharsets.UTF_8);
            assertThat(PredictionFiles.readJsonl(file)).as(torn).hasSize(1);
        }
        byte[] cut = (ok + "\n{\"text\":\"Zo").getBytes(StandardCharsets.UTF_8);
        byte[] torn = java.util.Arrays.copyOf(cut, cut.length + 1);
        torn[cut.length] = (byte) 0xC3; // the first byte of ë
        Files.write(file, torn);
        assertThat(PredictionFiles.readJsonl(file)).hasSize(1);
        // the same bytes in a line that ends with its line break: a damaged file
        Files.write(file, torn);
        Files.write(file, new byte[] {'\n'}, java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> PredictionFiles.readJsonl(file)).isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith(file + ":2: ").hasMessageContaining("not valid UTF-8");
    }

    /** Every line here ends with its line break: a complete line, so its damage is an error naming the line. */
    private void assertBad(String content, int line, String message) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.jsonl"), content + "\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> PredictionFiles.readJsonl(file)).isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith(file + ":" + line + ": ").hasMessageContaining(message);
    }
}
