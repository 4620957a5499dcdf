package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.core.EnsembleNer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's span-sim example, compiled and run: it builds the ensemble with the real bundled encoder, which
 * writes the pool's index to {@code pool.idx} in the current folder (the README's relative path); the test removes
 * that file again. The text between the {@code README: begin/end span-sim} markers is the README's block;
 * {@link DocExamplesTest} checks that they are the same. Nothing is recognised: the member would call a server.
 */
class ReadmeSpanSimExampleTest {

    @Test
    void readme_spanSimExample_buildsTheIndex() throws IOException {
        Path index = Path.of("pool.idx");
        assertThat(index).as("a pool.idx left in %s; remove it", Path.of("").toAbsolutePath()).doesNotExist();
        List<Demonstration> pool = List.of(
                new Demonstration("Tim Cook presented the new iPhone in Cupertino.",
                        List.of(new LabeledSpan(0, 8, "person"))),
                new Demonstration("Elon Musk spoke in Berlin.", List.of(new LabeledSpan(0, 9, "person"))));
        try {
            // README: begin span-sim
            EnsembleNer ner = EnsembleNer.builder()
                    .entityType("person", "Names of people")
                    .member("openai-compatible", Map.of("name", "qwen", "baseUrl", "http://localhost:8000/v1",
                            "model", "Qwen/Qwen2.5-14B-Instruct"))
                    .demonstrations(pool)                       // a List<Demonstration>, e.g. a training set
                    .retriever("span-sim", Map.of("index", "pool.idx"))
                    .build();
            // README: end span-sim
            try (ner) {
                assertThat(ner.memberNames()).containsExactly("qwen");
                assertThat(index).as("the index the span-sim retriever saved").isNotEmptyFile();
            }
        } finally {
            Files.deleteIfExists(index);
        }
    }
}
