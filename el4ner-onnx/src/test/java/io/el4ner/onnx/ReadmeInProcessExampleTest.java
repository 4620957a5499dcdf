package io.el4ner.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.NerResult;
import io.el4ner.api.Usage;
import io.el4ner.api.UsageEntry;
import io.el4ner.core.EnsembleNer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's in-process example, compiled and run (the block between the markers must equal the README's; the
 * cli module's DocExamplesTest compares them). Its model folders are the tiny random-weight fixtures under the
 * example's names: their answers are not JSON, so what is checked is that both members ran their models.
 */
class ReadmeInProcessExampleTest {
    @TempDir
    Path models;

    @Test
    void readme_inProcessExample_runs() throws IOException {
        Files.createSymbolicLink(models.resolve("Qwen2.5-0.5B-Instruct"), DecoderFixtures.dir(DecoderFixtures.GQA));
        Files.createSymbolicLink(models.resolve("SmolLM2-360M-Instruct"), DecoderFixtures.dir(DecoderFixtures.MHA));
        Usage usage;
        try {
            usage = example().usage();
        } catch (EnsembleFailureException e) {
            usage = e.usage();
        }
        assertThat(usage.entries()).extracting(UsageEntry::member).contains("qwen", "smollm");
        assertThat(usage.entries()).allSatisfy(e -> assertThat(e.completionTokens()).isPositive());
    }

    private NerResult example() {
        NerResult result;
        // README: begin in-process
        try (OnnxDecoderMember qwen = OnnxDecoderMember.builder().name("qwen")
                     .directory(models.resolve("Qwen2.5-0.5B-Instruct")).build();
             OnnxDecoderMember smollm = OnnxDecoderMember.builder().name("smollm")
                     .directory(models.resolve("SmolLM2-360M-Instruct")).maxNewTokens(256).build();
             EnsembleNer ner = EnsembleNer.builder()
                     .entityType("person", "Names of people")
                     .entityType("location", "Names of places")
                     .member(qwen)
                     .member(smollm)
                     .verifier("qwen")
                     .build()) {
            result = ner.recognize("Angela Merkel met Emmanuel Macron in Paris.");
        }
        // README: end in-process
        return result;
    }
}
