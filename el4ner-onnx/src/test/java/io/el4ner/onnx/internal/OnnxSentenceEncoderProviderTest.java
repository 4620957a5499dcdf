package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.onnx.CudaAssumptions;
import io.el4ner.onnx.OnnxSentenceEncoder;
import io.el4ner.onnx.OnnxSentenceEncoderFixtures;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.SentenceEncoder;
import io.el4ner.api.spi.SentenceEncoderProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxSentenceEncoderProviderTest {

    private static SentenceEncoderProvider provider() {
        return ServiceLoader.load(SentenceEncoderProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("onnx-sentence")).findFirst().orElseThrow();
    }

    private static SentenceEncoder create(Map<String, Object> parameters) {
        return provider().create(ComponentConfig.of("encoder", parameters));
    }

    @Test
    void serviceLoader_findsTheProviderByName() {
        assertThat(provider().name()).matches("[a-z0-9-]+");
        assertThat(provider().priority()).isZero();
    }

    @Test
    void create_readsTheParameters() {
        try (SentenceEncoder e = create(Map.of("model", "all-minilm-l6-v2-q", "maxLength", 64, "batchSize", 4,
                "threads", 1, "cuda", false, "dimension", 384))) {
            assertThat(e).isInstanceOf(OnnxSentenceEncoder.class);
            assertThat(e.identity()).startsWith("onnx:all-minilm-l6-v2-q:sha256=").endsWith(":maxLength=64");
            assertThat(e.dimension()).isEqualTo(384);
            assertThat(e.encode(List.of("a", "b"))).hasSize(2);
        }
    }

    @Test
    void create_fromDirectoryWithCudaDeviceFallsBackToCpu(@TempDir Path dir) throws IOException {
        CudaAssumptions.assumeCudaAbsent();
        OnnxSentenceEncoderFixtures.copyResource("all-minilm-l6-v2-q.onnx", dir.resolve("model.onnx"));
        OnnxSentenceEncoderFixtures.copyResource("all-minilm-l6-v2-q-tokenizer.json", dir.resolve("tokenizer.json"));
        try (SentenceEncoder e = create(Map.of("directory", dir.toString(), "cuda", 1))) {
            assertThat(((OnnxSentenceEncoder) e).executionProvider()).isEqualTo("CPU");
            assertThat(e.identity()).startsWith("onnx:" + dir.getFileName() + ":");
        }
        assertThat(Files.exists(dir.resolve("model.onnx"))).isTrue();
    }

    @Test
    void create_rejectsBadParametersBeforeLoading() {
        assertThatThrownBy(() -> create(Map.of("modle", "x"))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("encoder: unknown parameter 'modle'").hasMessageContaining("directory");
        assertThatThrownBy(() -> create(Map.of("model", "bge-small"))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("unknown model 'bge-small'");
        assertThatThrownBy(() -> create(Map.of("model", "all-minilm-l6-v2-q", "directory", "/tmp")))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("either 'model' or 'directory'");
        assertThatThrownBy(() -> create(Map.of("batchSize", 0))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("batchSize must be at least 1");
        assertThatThrownBy(() -> create(Map.of("cuda", "yes"))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("'cuda'");
        assertThatThrownBy(() -> create(Map.of("maxLength", 1.5))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("'maxLength' must be an integer");
    }
}
