package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.core.EnsembleNer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tests of the documents' examples share: the repository and its two documents, their fenced blocks, a
 * temporary folder to write files in, and the configurations the examples run with.
 */
abstract class DocExampleFixtures {
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The repository: tests run in el4ner-cli. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String README = "README.md";
    static final String CONFIG = "el4ner-cli/CONFIG.md";

    /** A fenced block of a Markdown file: its position, its info string ("java", "json" or none) and its text. */
    record Block(String file, int index, int line, String lang, String text) {
        String firstLine() {
            return text.lines().findFirst().orElse("");
        }

        @Override
        public String toString() {
            return file + " block " + index + " (line " + line + ", ```" + lang + ", \"" + firstLine() + "\")";
        }
    }

    @TempDir
    Path dir;

    /** Three sentences, three entities, predicted right: "token gold predicted" lines in each scheme. */
    static final Map<String, String> CONLLEVAL = Map.of(
            "iob1", "Alice I-PER I-PER\nmet O O\nBob I-PER I-PER\nSmith I-PER I-PER\n\nIn O O\nParis I-LOC I-LOC\n",
            "iob2", "Alice B-PER B-PER\nmet O O\nBob B-PER B-PER\nSmith I-PER I-PER\n\nIn O O\nParis B-LOC B-LOC\n",
            "bioes", "Alice S-PER S-PER\nmet O O\nBob B-PER B-PER\nSmith E-PER E-PER\n\nIn O O\nParis S-LOC S-LOC\n");

    static String scheme(List<String> args) {
        int i = args.indexOf("--scheme");
        return i < 0 ? "iob2" : args.get(i + 1);
    }

    static String simulatedConfig(String gold, String scheme, double missRate) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        var types = c.putArray("entityTypes");
        for (String t : List.of("PER", "LOC")) {
            types.addObject().put("name", t).put("description", t);
        }
        c.putArray("members").addObject().put("provider", "simulated").put("name", "sim")
                .putObject("parameters").put("gold", gold).put("scheme", scheme).put("missRate", missRate);
        return JSON.writeValueAsString(c);
    }

    static void assertBuilds(CliConfig config, Path file) {
        StringWriter messages = new StringWriter();
        RecognizeCommand.Built built = RecognizeCommand.build(config, file, new PrintWriter(messages, true));
        assertThat(built.ner()).as("the ensemble of %s: %s", file, messages).isNotNull();
        try (EnsembleNer ner = built.ner()) {
            assertThat(ner.memberNames()).hasSize(config.members().size());
        }
    }

    // --- helpers: blocks --------------------------------------------------------------------------------------------

    static List<Block> blocks(String file) throws IOException {
        return blocks(ROOT.resolve(file), file);
    }

    /** Fenced blocks: a line starting with three backticks opens one, the next such line closes it. */
    static List<Block> blocks(Path path, String file) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("```")) {
                continue;
            }
            int open = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                text.append(lines.get(i)).append('\n');
            }
            assertThat(i).as("the block opened at line %d of %s is closed", open + 1, file).isLessThan(lines.size());
            out.add(new Block(file, out.size(), open + 1, lines.get(open).substring(3).strip(), text.toString()));
        }
        return out;
    }

    static Block block(String file, int index) throws IOException {
        List<Block> all = blocks(file);
        assertThat(index).as("%s has a block %d", file, index).isLessThan(all.size());
        Block b = all.get(index);
        DocExamplesTest.Covered c = DocExamplesTest.COVERED.stream()
                .filter(x -> x.file().equals(file) && x.index() == index).findFirst().orElseThrow();
        assertThat(b.firstLine()).as("%s (see docs_everyFencedBlock_isCoveredByATest)", b).startsWith(c.firstLine());
        return b;
    }

    Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    Path aliceConfig() throws IOException {
        return write("alice.json", JSON.writeValueAsString(MainFixtures.config(MainFixtures.aliceMember("m1"))));
    }
}
