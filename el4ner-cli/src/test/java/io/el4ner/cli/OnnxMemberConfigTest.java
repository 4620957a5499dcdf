package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.core.EnsembleNer;
import io.el4ner.onnx.internal.OnnxDecoderMemberProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process example of CONFIG.md loads, and its ensemble builds: its two model folders, relative to the
 * configuration file, are el4ner-onnx's tiny test decoders under the example's names.
 */
class OnnxMemberConfigTest {
    private static final Path FIXTURES = Path.of("../el4ner-onnx/src/test/resources/io/el4ner/onnx/decoders")
            .toAbsolutePath().normalize();

    @TempDir
    Path dir;

    static String inProcessExample() throws IOException {
        String doc = Files.readString(Path.of("CONFIG.md"), StandardCharsets.UTF_8);
        int heading = doc.indexOf("### In-process models: `onnx`");
        assertThat(heading).as("CONFIG.md has an 'In-process models' section").isNotNegative();
        int start = doc.indexOf("```json\n", heading) + "```json\n".length();
        return doc.substring(start, doc.indexOf("```", start));
    }

    @Test
    void inProcessExampleLoadsAndBuilds() throws IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(models.resolve("Qwen2.5-0.5B-Instruct"), FIXTURES.resolve("tiny-gqa"));
        Files.createSymbolicLink(models.resolve("SmolLM2-360M-Instruct"), FIXTURES.resolve("tiny-mha"));
        Path file = dir.resolve("config.json");
        Files.writeString(file, inProcessExample(), StandardCharsets.UTF_8);

        CliConfig config = ConfigLoader.load(file);

        assertThat(config.members()).hasSize(2);
        for (CliConfig.Component member : config.members()) {
            assertThat(member.provider()).isEqualTo(OnnxDecoderMemberProvider.NAME);
            assertThat(OnnxDecoderMemberProvider.PARAMETERS).containsAll(member.parameters().keySet());
        }
        try (EnsembleNer ner = config.toBuilder().build()) {
            assertThat(ner).isNotNull();
        }
    }
}
