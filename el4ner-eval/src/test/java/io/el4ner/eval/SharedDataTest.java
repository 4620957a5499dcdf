package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads every file of the project's shared datasets ({@code shared/data}, next to or inside the project root) and
 * checks the sentence and token counts their {@code SOURCE.txt} files state. Skipped where the folder is absent
 * (a fresh clone).
 */
class SharedDataTest {
    /** file (relative to shared/data) -> {sentences, tokens, scheme} as stated in SOURCE.txt. */
    private static final Map<String, int[]> EXPECTED = new LinkedHashMap<>();

    private static void expect(String file, int sentences, int tokens) {
        EXPECTED.put(file, new int[] {sentences, tokens});
    }

    static {
        expect("conll2003/eng.train", 14041, 203621);
        expect("conll2003/eng.testa", 3250, 51362);
        expect("conll2003/eng.testb", 3453, 46435);
        expect("wnut17/wnut17train.conll", 3394, 62730);
        expect("wnut17/emerging.dev.conll", 1009, 15733);
        expect("wnut17/emerging.test.annotated", 1287, 23394);
        expect("bc5cdr/train.tsv", 4560, 118170);
        expect("bc5cdr/devel.tsv", 4581, 117453);
        expect("bc5cdr/test.tsv", 4797, 124750);
        expect("ncbi-disease/train.tsv", 5424, 135701);
        expect("ncbi-disease/devel.tsv", 923, 23969);
        expect("ncbi-disease/test.tsv", 940, 24497);
        // jnlpba/SOURCE.txt counts "incl. DOCSTART lines": each -DOCSTART- line as a sentence of one token
        // (200 in devel, 404 in test); the reader skips them, see below.
        expect("jnlpba/devel.tsv", 1939, 47661);
        expect("jnlpba/test.tsv", 4260, 101443);
        expect("conll2002-es/esp.train", 8323, 264715);
        expect("conll2002-es/esp.testa", 1915, 52923);
        expect("conll2002-es/esp.testb", 1517, 51533);
        expect("crossner/ai/train.txt", 100, 3782);
        expect("crossner/ai/dev.txt", 350, 10919);
        expect("crossner/ai/test.txt", 431, 12991);
        expect("crossner/literature/train.txt", 100, 3782); // "(sic)" in SOURCE.txt: the same counts as ai
        expect("crossner/literature/dev.txt", 400, 14503);
        expect("crossner/literature/test.txt", 416, 16157);
        expect("crossner/music/train.txt", 100, 3909);
        expect("crossner/music/dev.txt", 380, 15591);
        expect("crossner/music/test.txt", 465, 19605);
        expect("crossner/politics/train.txt", 200, 8384);
        expect("crossner/politics/dev.txt", 541, 24624);
        expect("crossner/politics/test.txt", 651, 27585);
        expect("crossner/science/train.txt", 200, 7100);
        expect("crossner/science/dev.txt", 450, 16139);
        expect("crossner/science/test.txt", 543, 19487);
    }

    private static Path sharedData() {
        for (String candidate : List.of("../shared/data", "../../shared/data")) {
            Path p = Path.of(candidate);
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void read_everySharedFile_hasTheStatedCounts() throws IOException {
        Path data = sharedData();
        assumeThat(data).as("shared/data is not present (a fresh clone)").isNotNull();

        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(data)) {
            files.filter(Files::isRegularFile).map(f -> data.relativize(f).toString().replace('\\', '/'))
                    .filter(f -> !f.endsWith(".md") && !f.endsWith("SOURCE.txt") && !f.contains("LICENSE"))
                    .sorted().forEach(found::add);
        }
        assertThat(found).as("data files in " + data).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());

        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, int[]> e : EXPECTED.entrySet()) {
            Scheme scheme = e.getKey().startsWith("conll2003/") ? Scheme.IOB1 : Scheme.IOB2;
            ConllDataset d = ConllDataset.of(ConllReader.builder().scheme(scheme).build()
                    .read(data.resolve(e.getKey())));
            // SOURCE.txt of jnlpba counts each -DOCSTART- line as a one-token sentence
            int docstarts = e.getKey().startsWith("jnlpba/") ? d.documents() : 0;
            int sentences = d.sentences() + docstarts;
            int tokens = d.tokens() + docstarts;
            if (sentences != e.getValue()[0] || tokens != e.getValue()[1]) {
                mismatches.add(e.getKey() + ": read " + sentences + "/" + tokens + ", SOURCE.txt says "
                        + e.getValue()[0] + "/" + e.getValue()[1]);
            }
            assertThat(d.entities()).as(e.getKey()).isPositive();
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void read_conll2003Train_quicklyAndStrictlyAsIob1() throws IOException {
        Path data = sharedData();
        assumeThat(data).as("shared/data is not present (a fresh clone)").isNotNull();
        ConllReader reader = ConllReader.builder().scheme(Scheme.IOB1).strict(true).build();
        reader.read(data.resolve("conll2003/eng.testa")); // warm-up
        long t0 = System.nanoTime();
        ConllDataset d = ConllDataset.of(reader.read(data.resolve("conll2003/eng.train")));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        // 946 -DOCSTART- lines, but this copy has none before its first sentence and one after its last
        assertThat(d.documents()).isEqualTo(945);
        assertThat(d.types()).containsOnlyKeys("LOC", "MISC", "ORG", "PER");
        assertThat(millis).as("reading eng.train took %d ms", millis).isLessThan(3_000);
    }
}
