package io.el4ner.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.TextRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Building and closing an {@link OnnxSentenceEncoder}: from a folder or class path resources, CUDA, bad settings. */
class OnnxSentenceEncoderBuildTest extends OnnxSentenceEncoderFixtures {
    @Test
    void build_rejectsNegativeParallelism() {
        assertThatThrownBy(() -> OnnxSentenceEncoder.builder().parallelism(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelism");
    }

    @Test
    void close_isIdempotentAndLaterCallsFail() {
        OnnxSentenceEncoder e = OnnxSentenceEncoder.builder().build();
        e.close();
        e.close();
        assertThatThrownBy(() -> e.encode(List.of("x"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> e.encodeSpans("x", List.of(new TextRange(0, 1))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void build_cudaRequestFallsBackToCpuAndSaysSo() {
        CudaAssumptions.assumeCudaAbsent();
        LogCapture.Captured<OnnxSentenceEncoder> run = LogCapture.during(() -> OnnxSentenceEncoder.builder().cuda(0).build());
        try (OnnxSentenceEncoder e = run.value()) {
            assertThat(e.executionProvider()).isEqualTo("CPU");
            assertThat(run.log()).containsOnlyOnce("INFO io.el4ner.onnx.OnnxSentenceEncoder")
                    .contains("runs on CPU because CUDA device 0 is unavailable");
            assertThat(e.encode(List.of(CAT)).get(0)).containsExactly(encoder.encode(List.of(CAT)).get(0), within(1e-6f));
        }
    }

    @Test
    void build_fromDirectory(@TempDir Path dir) throws IOException {
        Path model = Files.createDirectory(dir.resolve("minilm"));
        copyResource("all-minilm-l6-v2-q.onnx", model.resolve("model.onnx"));
        copyResource("all-minilm-l6-v2-q-tokenizer.json", model.resolve("tokenizer.json"));
        try (OnnxSentenceEncoder e = OnnxSentenceEncoder.builder().directory(model).build()) {
            assertThat(e.identity()).isEqualTo(encoder.identity().replace("all-minilm-l6-v2-q", "minilm"));
            assertThat(e.encode(List.of(APPLE)).get(0)).isEqualTo(encoder.encode(List.of(APPLE)).get(0));
        }
    }

    @Test
    void build_fromClasspathResources() {
        try (OnnxSentenceEncoder e = OnnxSentenceEncoder.builder()
                .classpath("/all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json").intraOpThreads(1).build()) {
            assertThat(e.identity()).isEqualTo(encoder.identity());
            assertThat(e.encode(List.of(CAT)).get(0)).containsExactly(encoder.encode(List.of(CAT)).get(0), within(1e-6f));
        }
    }

    @Test
    void build_missingFilesAreConfigurationErrors(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> OnnxSentenceEncoder.builder().directory(dir))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("has no model.onnx");
        copyResource("all-minilm-l6-v2-q.onnx", dir.resolve("model.onnx"));
        assertThatThrownBy(() -> OnnxSentenceEncoder.builder().directory(dir))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("has no tokenizer.json");
        assertThatThrownBy(() -> OnnxSentenceEncoder.builder().classpath("nope.onnx", "nope.json"))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("'nope.onnx' not found");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("model.onnx"), "not a model");
        assertThatThrownBy(() -> OnnxSentenceEncoder.builder().directory(dir).build())
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("cannot load");
    }

    @Test
    void build_wrongDimensionIsAnError() {
        assertThatThrownBy(() -> OnnxSentenceEncoder.builder().expectedDimension(768).build())
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("dimension 384").hasMessageContaining("dimension 768 was expected");
    }

    @Test
    void builder_rejectsInvalidSettings() {
        OnnxSentenceEncoder.Builder b = OnnxSentenceEncoder.builder();
        assertThatThrownBy(() -> b.batchSize(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> b.maxLength(2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLength");
        assertThatThrownBy(() -> b.intraOpThreads(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.interOpThreads(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.cuda(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.expectedDimension(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.directory(null)).isInstanceOf(NullPointerException.class);
    }
}
