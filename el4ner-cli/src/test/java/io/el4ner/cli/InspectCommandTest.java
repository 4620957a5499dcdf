package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    /** CoNLL-2003 style: 4 columns, IOB1 (B- only between adjacent same-type entities), -DOCSTART-. */
    private static final String CONLL2003 = """
            -DOCSTART- -X- -X- O

            EU NNP I-NP I-ORG
            rejects VBZ I-VP O
            German JJ I-NP I-MISC
            call NN I-NP O

            Peter NNP I-NP I-PER
            Blackburn NNP I-NP I-PER
            Anna NNP B-NP B-PER
            """;

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8).toString();
    }

    @Test
    void inspect_conllFile_printsOneJsonObjectWithCountsAndSortedTypes() throws IOException {
        Run r = run("inspect", "--format", "conll", "--scheme", "iob1", write("eng.mini", CONLL2003));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("{\"sentences\":2,\"tokens\":7,\"entities\":4,"
                + "\"types\":{\"MISC\":1,\"ORG\":1,\"PER\":2}}\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void inspect_wnutStyleTabFile_readsWithTheDefaultScheme() throws IOException {
        String file = write("wnut.conll", "@paul\tO\nsaw\tO\nGame\tB-creative-work\nof\tI-creative-work\n"
                + "Thrones\tI-creative-work\n\t\nin\tO\nLA\tB-location\n\t\n");
        Run r = run("inspect", file);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("{\"sentences\":2,\"tokens\":7,\"entities\":2,"
                + "\"types\":{\"creative-work\":1,\"location\":1}}\n");
    }

    @Test
    void inspect_column_picksTheTagColumnOneBased() throws IOException {
        Run r = run("inspect", "--column", "3", write("eng.mini", CONLL2003));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("{\"sentences\":2,\"tokens\":7,\"entities\":5,"
                + "\"types\":{\"NP\":4,\"VP\":1}}\n");
        assertThat(run("inspect", "--column", "1", write("a.txt", CONLL2003)).exit()).isEqualTo(Main.USAGE);
        Run missing = run("inspect", "--column", "9", write("b.txt", CONLL2003));
        assertThat(missing.exit()).isEqualTo(Main.USAGE);
        assertThat(missing.err()).contains("b.txt:3: the chosen tag column does not exist");
    }

    @Test
    void inspect_emptyFile_hasZeroCounts() throws IOException {
        Run r = run("inspect", "--format", "conll", write("empty.txt", ""));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("{\"sentences\":0,\"tokens\":0,\"entities\":0,\"types\":{}}\n");
    }

    @Test
    void inspect_malformedLine_isAUsageErrorNamingFileAndLine() throws IOException {
        String file = write("bad.txt", "Peter B-PER\n\nis O\nhere X-PER\n");
        Run r = run("inspect", file);
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(file + ":4: 'X-PER' is not a tag");

        Run columns = run("inspect", write("cols.txt", "EU NNP I-NP I-ORG\nrejects O\n"));
        assertThat(columns.exit()).isEqualTo(Main.USAGE);
        assertThat(columns.err()).contains("cols.txt:2: found 2 columns, but line 1 has 4");
    }

    @Test
    void inspect_strict_rejectsWhatTheSchemeDoesNotAllow() throws IOException {
        String file = write("slip.txt", "a O\nb I-PER\n");
        assertThat(run("inspect", file).out()).contains("\"entities\":1");
        Run strict = run("inspect", "--strict", file);
        assertThat(strict.exit()).isEqualTo(Main.USAGE);
        assertThat(strict.err()).contains("slip.txt:2: 'I-PER' after 'O'");
    }

    @Test
    void inspect_strictOnIob1Data_suggestsSchemeIob1() throws IOException {
        String file = write("eng.testb", CONLL2003);
        Run r = run("inspect", "--strict", file);
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("eng.testb:3: 'I-ORG' after 'O': in IOB2 an entity starts with B-; the whole"
                + " file is well-formed IOB1 (as CoNLL-2003 is): pass --scheme iob1");
        assertThat(run("inspect", "--strict", "--scheme", "iob1", file).exit()).isZero();
        Run iob2 = run("inspect", "--strict", "--scheme", "iob1", write("iob2.txt", "a B-PER\nb I-PER\n"));
        assertThat(iob2.exit()).isEqualTo(Main.USAGE);
        assertThat(iob2.err()).endsWith("pass --scheme iob2" + System.lineSeparator());
        // a slip that no scheme allows gets no hint
        Run slip = run("inspect", "--strict", write("slip.txt", "a B-PER\nb O\nc I-PER\nd S-LOC\n"));
        assertThat(slip.err()).doesNotContain("pass --scheme");
    }

    @Test
    void inspect_badOptionsOrMissingFile_isAUsageError() throws IOException {
        String file = write("ok.txt", "a O\n");
        Run format = run("inspect", "--format", "xml", file);
        assertThat(format.exit()).isEqualTo(Main.USAGE);
        assertThat(format.err()).contains("unknown format 'xml'; use conll");
        Run scheme = run("inspect", "--scheme", "iob3", file);
        assertThat(scheme.exit()).isEqualTo(Main.USAGE);
        assertThat(scheme.err()).contains("unknown scheme 'iob3'; use iob1, iob2 or bioes");
        Run missing = run("inspect", dir.resolve("nope.txt").toString());
        assertThat(missing.exit()).isEqualTo(Main.USAGE);
        assertThat(missing.err()).contains("nope.txt: no such file");
        assertThat(run("inspect", dir.toString()).err()).contains("not a file");
        assertThat(run("inspect").exit()).isEqualTo(Main.USAGE);
    }

    @Test
    void inspect_help_printsUsage() {
        Run r = run("inspect", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: el4ner inspect", "--format", "--scheme", "--column", "--strict");
    }
}
