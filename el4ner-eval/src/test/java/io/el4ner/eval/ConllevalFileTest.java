package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConllevalFileTest {
    @TempDir
    Path dir;

    @Test
    void parse_items_readsTheLastTwoItemsAndSentenceLines() {
        ConllevalFile f = ConllevalFile.parse("\n\nEU NNP I-ORG B-ORG\nrejects VBZ O O\n\n\n"
                + "Peter NNP I-PER B-PER\n");
        assertThat(f.sentences()).containsExactly(
                new ScoredSentence(List.of("I-ORG", "O"), List.of("B-ORG", "O"), 3),
                new ScoredSentence(List.of("I-PER"), List.of("B-PER"), 7));
        assertThat(f.endsWithBoundary()).isFalse();
        assertThat(f.tokenCount()).isEqualTo(3);
    }

    @Test
    void parse_windowsLineEndsAndByteOrderMark_areAccepted() {
        ConllevalFile unix = ConllevalFile.parse("a B-PER B-PER\nb O O\n\nc B-LOC O\n\n");
        ConllevalFile windows = ConllevalFile.parse("\uFEFFa B-PER B-PER\r\nb O O\r\n\r\nc B-LOC O\r\n\r\n");
        assertThat(windows.sentences()).isEqualTo(unix.sentences());
        assertThat(windows.endsWithBoundary()).isTrue();
    }

    @Test
    void parse_docstart_isABoundaryOnlyWithOutsideTags() {
        ConllevalFile f = ConllevalFile.parse("-DOCSTART- O O\na B-PER B-PER\n-DOCSTART- B-PER O\n");
        // the second -DOCSTART- carries a tag: it is a token, as in the script
        assertThat(f.sentences()).hasSize(1);
        assertThat(f.sentences().get(0).gold()).containsExactly("B-PER", "B-PER");
        // conlleval.pl on this input: 3 tokens with 2 phrases; found: 1 phrases; correct: 1.
        assertThat(f.scoreConlleval().micro()).isEqualTo(new Score(1, 0, 1));
    }

    @Test
    void parse_changingNumberOfItems_isAnErrorNamingBothLines() {
        // conlleval.pl stops on this input with "unexpected number of features: 2 (3)"
        assertThatThrownBy(() -> ConllevalFile.parse("a B-PER B-PER\n\nb I-PER\n"))
                .isInstanceOf(ConllevalFormatException.class)
                .hasMessageStartingWith("line 3: ")
                .hasMessageContaining("found 2 items but line 1 has 3")
                .satisfies(e -> assertThat(((ConllevalFormatException) e).line()).isEqualTo(3));
    }

    @Test
    void parse_fewerThanTwoItems_isAnError() {
        // conlleval.pl dies on this input: "unexpected number of features in line a"
        assertThatThrownBy(() -> ConllevalFile.parse("\na\n")).isInstanceOf(ConllevalFormatException.class)
                .hasMessageStartingWith("line 2: ").hasMessageContaining("at least two");
        // tabs are not separators, as in the script
        assertThatThrownBy(() -> ConllevalFile.parse("a\tB-PER\tB-PER\n"))
                .isInstanceOf(ConllevalFormatException.class).hasMessageContaining("single spaces");
    }

    @Test
    void read_utf8File_readsIt() throws Exception {
        Path p = dir.resolve("pred.txt");
        Files.writeString(p, "Zürich B-LOC B-LOC\nliegt O O\n", StandardCharsets.UTF_8);
        ConllevalFile f = ConllevalFile.read(p);
        assertThat(f.scoreConlleval().micro()).isEqualTo(new Score(1, 0, 0));
    }
}
