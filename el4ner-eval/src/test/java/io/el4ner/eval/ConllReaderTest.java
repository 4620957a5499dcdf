package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConllReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static List<ConllSentence> read(ConllReader reader, String content) {
        try (Stream<ConllSentence> s = reader.stream(new BufferedReader(new StringReader(content)), "mem")) {
            return s.toList();
        }
    }

    private static List<ConllSentence> read(String content) {
        return read(ConllReader.defaults(), content);
    }

    /** CoNLL-2003 style: 4 space-separated columns, IOB1, -DOCSTART- lines followed by a blank line. */
    private static final String CONLL2003 = """
            -DOCSTART- -X- -X- O

            EU NNP I-NP I-ORG
            rejects VBZ I-VP O
            German JJ I-NP I-MISC
            call NN I-NP O
            .  .  O  O

            Peter NNP I-NP I-PER
            Blackburn NNP I-NP I-PER
            Anna NNP B-NP B-PER

            -DOCSTART- -X- -X- O

            BRUSSELS NNP I-NP I-LOC
            """;

    @Test
    void read_fourColumnIob1WithDocstart_readsSentences() throws IOException {
        Path file = write("eng.mini", CONLL2003);
        ConllReader reader = ConllReader.builder().scheme(Scheme.IOB1).strict(true).build();
        List<ConllSentence> sentences = reader.read(file);
        assertThat(sentences).extracting(ConllSentence::text)
                .containsExactly("EU rejects German call .", "Peter Blackburn Anna", "BRUSSELS");
        assertThat(sentences).extracting(ConllSentence::id)
                .containsExactly("eng.mini:3", "eng.mini:9", "eng.mini:15");
        assertThat(sentences).extracting(ConllSentence::documentStart).containsExactly(true, false, true);
        assertThat(sentences.get(0).tags()).containsExactly("I-ORG", "O", "I-MISC", "O", "O");
        assertThat(sentences.get(1).spans()).containsExactly(new TokenSpan(0, 2, "PER"), new TokenSpan(2, 3, "PER"));

        ConllDataset summary = ConllDataset.of(sentences);
        assertThat(summary).isEqualTo(new ConllDataset(3, 9, 5, 2,
                new java.util.TreeMap<>(Map.of("LOC", 1, "MISC", 1, "ORG", 1, "PER", 2))));
        assertThat(summary.types().keySet()).containsExactly("LOC", "MISC", "ORG", "PER");

        // another column as tags: the chunk column (0-based index 2)
        List<ConllSentence> chunks = ConllReader.builder().tagColumn(2).build().read(file);
        assertThat(chunks.get(1).tags()).containsExactly("I-NP", "I-NP", "B-NP");
        assertThat(chunks.get(1).spans()).containsExactly(new TokenSpan(0, 2, "NP"), new TokenSpan(2, 3, "NP"));
        assertThat(ConllReader.builder().tagColumn(-2).build().read(file)).isEqualTo(chunks);
    }

    @Test
    void read_tabSeparatedWithLoneTabBreaks_readsSentences() {
        // WNUT-17 train style: a line holding a single TAB ends a sentence; so do whitespace-only lines
        List<ConllSentence> sentences = read("@paul\tO\nsaw\tO\nGoT\tB-creative-work\n\t\nin\tO\nLA\tB-location\n"
                + " \t \nok\tO\n\n\n\t\n");
        assertThat(sentences).extracting(ConllSentence::text).containsExactly("@paul saw GoT", "in LA", "ok");
        assertThat(sentences).extracting(ConllSentence::line).containsExactly(1, 5, 8);
        assertThat(sentences.get(0).spans()).containsExactly(new TokenSpan(2, 3, "creative-work"));
        assertThat(sentences).noneMatch(ConllSentence::documentStart);
    }

    @Test
    void read_spacesTabsCrLfAndByteOrderMark_areTolerated() {
        List<ConllSentence> sentences = read("\uFEFFEl DA O\r\nAbogado\tNC  B-PER\r\nGeneral \t AQ\tI-PER\r\n\r\n"
                + "-DOCSTART-\tO\r\nVictoria VMI B-LOC\r\n");
        assertThat(sentences).extracting(ConllSentence::text).containsExactly("El Abogado General", "Victoria");
        assertThat(sentences.get(0).tags()).containsExactly("O", "B-PER", "I-PER");
        assertThat(sentences.get(1).documentStart()).isTrue();
        // two columns, space separated (CoNLL-2002), and a DOCSTART with no blank line after it
        assertThat(read("Madrid B-LOC\n-DOCSTART- O\nEFE B-ORG\n")).extracting(ConllSentence::text)
                .containsExactly("Madrid", "EFE");
    }

    @Test
    void read_nonAsciiTokens_keptAndMappedExactly() {
        ConllSentence s = read("Zürich\tB-LOC\n😀\tO\nwatched\u200Bwas\tO\nSão\tB-LOC\nPaulo\tI-LOC\n").get(0);
        assertThat(s.text()).isEqualTo("Zürich 😀 watched\u200Bwas São Paulo");
        assertThat(s.toDemonstration().spans()).extracting(sp -> s.text().substring(sp.start(), sp.end()))
                .containsExactly("Zürich", "São Paulo");
        assertThat(s.tokenStart(2)).isEqualTo(10);
    }

    @Test
    void read_emptyInput_hasNoSentences() throws IOException {
        assertThat(ConllReader.defaults().read(write("empty.txt", ""))).isEmpty();
        assertThat(read("\n\n\t\n-DOCSTART- -X- -X- O\n\n")).isEmpty();
        assertThat(ConllDataset.of(List.of())).isEqualTo(new ConllDataset(0, 0, 0, 0, new java.util.TreeMap<>()));
    }

    @Test
    void read_changingColumnCount_isAnErrorWithFileAndLine() throws IOException {
        Path file = write("mixed.txt", "EU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nGerman I-MISC\n");
        assertThatThrownBy(() -> ConllReader.defaults().read(file)).isInstanceOf(DatasetFormatException.class)
                .hasMessage(file + ":4: found 2 columns, but line 1 has 4; every token line of a file needs the same"
                        + " columns")
                .satisfies(e -> assertThat(((DatasetFormatException) e).line()).isEqualTo(4))
                .satisfies(e -> assertThat(((DatasetFormatException) e).source()).isEqualTo(file.toString()));
        // a missing token column in a tab file counts as a missing column, not as a shift
        assertThatThrownBy(() -> read("a\tO\n\tB-PER\n")).hasMessageStartingWith("mem:2: found 1 column, but line 1 has 2");
        assertThatThrownBy(() -> read("lonely\n")).hasMessageStartingWith("mem:1: only one column");
        assertThatThrownBy(() -> read(ConllReader.builder().tagColumn(5).build(), "a b O\n"))
                .hasMessageStartingWith("mem:1: the chosen tag column does not exist");
        assertThatThrownBy(() -> ConllReader.builder().tagColumn(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void read_malformedTag_isAnErrorInLenientAndStrictMode() {
        String content = "Peter\tB-PER\n\nis\tO\nPeter\tX-PER\n";
        for (boolean strict : new boolean[] {false, true}) {
            assertThatThrownBy(() -> read(ConllReader.builder().strict(strict).build(), content))
                    .isInstanceOf(DatasetFormatException.class)
                    .hasMessage("mem:4: 'X-PER' is not a tag: use O, or B-, I-, E- or S- followed by a type");
        }
        assertThatThrownBy(() -> read("a\tPER\n")).hasMessageStartingWith("mem:1: 'PER' is not a tag");
    }

    @Test
    void read_strictMode_rejectsSequencesTheSchemeDoesNotAllow() {
        String iob2Slip = "a O\nb O\n\nc O\nd I-PER\n";
        assertThat(read(iob2Slip).get(1).spans()).containsExactly(new TokenSpan(1, 2, "PER")); // lenient
        assertThatThrownBy(() -> read(ConllReader.builder().strict(true).build(), iob2Slip))
                .isInstanceOf(DatasetFormatException.class).hasMessageStartingWith("mem:5: 'I-PER' after 'O'");
        // IOB1: B- only after the same type
        ConllReader iob1 = ConllReader.builder().scheme(Scheme.IOB1).strict(true).build();
        assertThat(read(iob1, "a I-PER\nb B-PER\n")).hasSize(1);
        assertThatThrownBy(() -> read(iob1, "a I-LOC\nb B-PER\n")).hasMessageStartingWith("mem:2:");
        // BIOES: an entity left open at the sentence end is reported on its last line
        ConllReader bioes = ConllReader.builder().scheme(Scheme.BIOES).strict(true).build();
        assertThat(read(bioes, "a B-PER\nb E-PER\nc S-LOC\n").get(0).spans()).containsExactly(
                new TokenSpan(0, 2, "PER"), new TokenSpan(2, 3, "LOC"));
        assertThatThrownBy(() -> read(bioes, "x O\n\na B-PER\nb I-PER\n\n")).hasMessageStartingWith("mem:4:");
    }

    @Test
    void read_invalidUtf8_isAnErrorWithTheLine() throws IOException {
        Path file = dir.resolve("latin1.txt");
        Files.write(file, "Espa\u00f1a B-LOC\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConllReader.defaults().read(file)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("latin1.txt:1: not valid UTF-8");
    }

    @Test
    void read_missingFile_throwsIoException() {
        assertThatThrownBy(() -> ConllReader.defaults().read(dir.resolve("nope.txt")))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void stream_largeInput_readsLazily() throws IOException {
        // the malformed line comes after the first sentence: a stream yields that sentence before failing
        Path file = write("lazy.txt", "a B-X\n\nb BAD\n");
        try (Stream<ConllSentence> s = ConllReader.defaults().stream(file)) {
            assertThat(s.findFirst()).map(ConllSentence::text).contains("a");
        }
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            big.append("tok").append(i).append(" NN I-NP ").append(i % 3 == 0 ? "I-PER" : "O").append('\n');
            if (i % 10 == 9) {
                big.append('\n');
            }
        }
        try (Stream<ConllSentence> s = ConllReader.defaults().stream(write("big.txt", big.toString()))) {
            ConllDataset d = ConllDataset.of(s);
            assertThat(d.sentences()).isEqualTo(2_000);
            assertThat(d.tokens()).isEqualTo(20_000);
            assertThat(d.types()).containsOnlyKeys("PER");
        }
    }
}
