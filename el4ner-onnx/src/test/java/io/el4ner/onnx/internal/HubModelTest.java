package io.el4ner.onnx.internal;

import io.el4ner.onnx.DecoderFixtures;
import io.el4ner.onnx.OnnxDecoderMember;
import io.el4ner.onnx.OnnxSentenceEncoder;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.hub.HubClient;
import io.el4ner.hub.HubException;
import io.el4ner.hub.testing.LoopbackHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code onnx} member's model from a Hub: the tiny GQA fixture served by a loopback Hub. */
class HubModelTest {
    private static final String REPO = "onnx-community/tiny-gqa";

    @TempDir
    Path tmp;

    private LoopbackHub hub;

    @BeforeEach
    void serve() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("hub/onnx-community"));
        DecoderFixtures.copy(DecoderFixtures.GQA, root.resolve("tiny-gqa"));
        hub = LoopbackHub.serving(tmp.resolve("hub"));
    }

    @AfterEach
    void close() {
        hub.close();
    }

    private HubClient.Builder client() {
        return HubClient.builder().endpoint(hub.endpoint()).cacheDir(tmp.resolve("cache"))
                .environment(Map.of("HF_HOME", tmp.resolve("hf-home").toString()));
    }

    @Test
    void decoder_noVariant_downloadsThePreferredOneAndLoads() {
        HubModelFiles.Decoder d;
        try (HubClient client = client().build()) {
            d = HubModelFiles.decoder(client, REPO, "main", null, DecoderDirectory.CPU_VARIANTS);
        }

        assertThat(d.variant()).isEqualTo("model_q4");
        assertThat(d.directory()).isEqualTo(tmp.resolve("cache/models--onnx-community--tiny-gqa/snapshots/"
                + hub.repo(REPO).commit()));
        assertThat(d.directory().resolve("onnx/model.onnx")).doesNotExist();
        try (OnnxDecoderMember member = OnnxDecoderMember.builder().directory(d.directory()).variant(d.variant())
                .build()) {
            // named after the repository, not the commit of its snapshot folder
            assertThat(member.model()).isEqualTo("onnx-community/tiny-gqa/model_q4");
            assertThat(member.name()).isEqualTo("tiny-gqa");
        }
    }

    @Test
    void decoder_variantWithExternalData_fetchesTheDataAndWorksOffline() {
        try (HubClient client = client().build()) {
            HubModelFiles.Decoder d = HubModelFiles.decoder(client, REPO, "main", "model",
                    DecoderDirectory.CPU_VARIANTS);
            assertThat(d.directory().resolve("onnx/model.onnx_data")).exists();
        }
        hub.clearRequests();
        try (HubClient offline = client().offline(true).build()) {
            HubModelFiles.Decoder d = HubModelFiles.decoder(offline, REPO, "main", null,
                    DecoderDirectory.CPU_VARIANTS);

            assertThat(d.variant()).isEqualTo("model"); // the one in the cache: model_q4 never was downloaded
            try (OnnxDecoderMember member = OnnxDecoderMember.builder().directory(d.directory()).variant("model")
                    .build()) {
                assertThat(member.model()).endsWith("/model");
            }
        }
        assertThat(hub.requests()).isEmpty();
    }

    /** Cached once; then the Hub is gone (not offline mode): the model loads from the cache without a probe per file. */
    @Test
    void decoder_hubUnreachable_loadsWhatTheCacheHas() {
        try (HubClient client = client().build()) {
            HubModelFiles.decoder(client, REPO, "main", "model_q4", DecoderDirectory.CPU_VARIANTS);
        }
        hub.close();
        try (HubClient down = client().retries(0).timeout(java.time.Duration.ofSeconds(2)).build()) {
            HubModelFiles.Decoder d = HubModelFiles.decoder(down, REPO, "main", "model_q4",
                    DecoderDirectory.CPU_VARIANTS);
            assertThat(d.directory().resolve("onnx/model_q4.onnx")).exists();
            try (OnnxDecoderMember member = OnnxDecoderMember.builder().directory(d.directory()).variant(d.variant())
                    .build()) {
                assertThat(member.model()).endsWith("/model_q4");
            }
        }
    }

    @Test
    void decoder_missingVariant_namesTheFile() {
        try (HubClient client = client().build()) {
            assertThatThrownBy(() -> HubModelFiles.decoder(client, REPO, "main", "model_fp16",
                    DecoderDirectory.CPU_VARIANTS))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason())
                            .isEqualTo(HubException.Reason.FILE_NOT_FOUND))
                    .hasMessageContaining("onnx/model_fp16.onnx");
        }
    }

    @Test
    void encoder_fromHubSnapshot_encodesAsTheBundledModel() throws IOException {
        Path repoDir = Files.createDirectories(tmp.resolve("hub/sentence-transformers/mini/onnx"));
        ClassLoader loader = OnnxSentenceEncoder.class.getClassLoader();
        try (var model = loader.getResourceAsStream("all-minilm-l6-v2-q.onnx");
             var tokenizer = loader.getResourceAsStream("all-minilm-l6-v2-q-tokenizer.json")) {
            Files.copy(model, repoDir.resolve("model.onnx"));
            Files.copy(tokenizer, repoDir.getParent().resolve("tokenizer.json"));
        }
        hub.close();
        hub = LoopbackHub.serving(tmp.resolve("hub"));
        Path dir;
        try (HubClient client = client().build()) {
            dir = HubModelFiles.encoder(client, "sentence-transformers/mini", "main");
        }
        try (OnnxSentenceEncoder fromHub = OnnxSentenceEncoder.builder().directory(dir).build();
             OnnxSentenceEncoder bundled = OnnxSentenceEncoder.builder().build()) {
            assertThat(fromHub.encode(List.of("Paris is in France.")).get(0))
                    .containsExactly(bundled.encode(List.of("Paris is in France.")).get(0));
            // named after the repository (the index of a span-sim pool stays valid across its commits)
            assertThat(fromHub.identity()).contains("sentence-transformers/mini").doesNotContain(dir.getFileName()
                    .toString());
        }
    }

    @Test
    void provider_repoAndDirectory_rejected() {
        OnnxDecoderMemberProvider provider = new OnnxDecoderMemberProvider();
        assertThatThrownBy(() -> provider.create(ComponentConfig.of("member 'm'", Map.of("repo", REPO,
                "directory", "x")))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("either 'directory'");
        assertThatThrownBy(() -> provider.create(ComponentConfig.of("member 'm'", Map.of("directory", "x",
                "revision", "main")))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("'revision' needs 'repo'");
        assertThatThrownBy(() -> new OnnxSentenceEncoderProvider().create(ComponentConfig.of(
                "encoder", Map.of("repo", "sentence-transformers/mini", "directory", "x"))))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("not several");
    }
}
