package io.el4ner.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.onnx.internal.OrtSessions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Building the {@code onnx} member: the CUDA fallback, missing or foreign files named with what they are for, a
 * template that raises, the builder's checks and the KV cache budget.
 */
class OnnxDecoderMemberLoadTest extends OnnxDecoderMemberFixtures {
    @Test
    void build_cudaRequestedButAbsent_runsOnTheCpuWithAWarnOrFailsWhenRequired() {
        CudaAssumptions.assumeCudaAbsent();
        LogCapture.Captured<OnnxDecoderMember> run = LogCapture.during(() -> OnnxDecoderMember.builder()
                .directory(DecoderFixtures.dir(DecoderFixtures.GQA)).cuda(0).build());
        try (OnnxDecoderMember m = run.value()) {
            assertThat(m.executionProvider()).isEqualTo("CPU");
            assertThat(run.log()).contains("WARN io.el4ner.onnx.internal.OrtSessions", "CUDA device 0",
                    "onnxruntime_gpu", "running on the CPU instead");
            assertThat(run.log()).contains("INFO io.el4ner.onnx.OnnxDecoderMember", "on CPU");
            ChatRequest r = request("Angela Merkel visited Paris.", 8);
            assertThat(m.chat(r).text()).isEqualTo(gqa.chat(r).text());
        }
        assertThatThrownBy(() -> OnnxDecoderMember.builder().directory(DecoderFixtures.dir(DecoderFixtures.GQA))
                .cuda(0).cudaRequired(true).build()).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("CUDA device 0").hasMessageContaining("onnxruntime_gpu")
                .hasMessageContaining("cudaRequired");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "config.json | the model's shape",
            "tokenizer.json | the tokenizer that turns prompts into tokens",
            "tokenizer_config.json | the chat template",
            "onnx/model_q4.onnx | the model's weights for variant 'model_q4'",
            "onnx/model.onnx_data | model.onnx_data"})
    void build_missingFile_isNamedWithWhatItIsFor(String file, String purpose, @TempDir Path tmp) {
        Path dir = DecoderFixtures.copy(DecoderFixtures.GQA, tmp.resolve("tiny-gqa"));
        String variant = file.contains("onnx_data") ? "model" : "model_q4";
        try {
            Files.delete(dir.resolve(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        assertThatThrownBy(() -> OnnxDecoderMember.builder().directory(dir).variant(variant).build())
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining(Path.of(file).getFileName().toString()).hasMessageContaining(purpose);
    }

    @Test
    void chat_noGenerationConfig_endsOnConfigJsonsEndToken(@TempDir Path tmp) throws IOException {
        Path dir = DecoderFixtures.copy(DecoderFixtures.GQA, tmp.resolve("tiny-gqa"));
        Files.delete(dir.resolve("generation_config.json"));
        try (OnnxDecoderMember m = OnnxDecoderMember.builder().directory(dir).build()) {
            assertThat(m.chat(request("Paris.", 4)).text()).isNotNull();
        }
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
                .replaceAll("\"eos_token_id\": *\\d+,?", ""));
        assertThatThrownBy(() -> OnnxDecoderMember.builder().directory(dir).build())
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("generation_config.json")
                .hasMessageContaining("eos_token_id");
    }

    @Test
    void build_unknownVariantOrMissingFolder_saysWhatIsThere(@TempDir Path tmp) {
        assertThatThrownBy(() -> OnnxDecoderMember.builder().directory(DecoderFixtures.dir(DecoderFixtures.GQA))
                .variant("model_fp16").build()).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("onnx/model_fp16.onnx").hasMessageContaining("[model, model_q4]");
        assertThatThrownBy(() -> OnnxDecoderMember.builder().directory(tmp.resolve("nowhere")).build())
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("nowhere")
                .hasMessageContaining("does not exist");
    }

    @Test
    void build_foreignModel_isRefusedListingExpectedAndFoundInputs(@TempDir Path tmp) throws IOException {
        Path dir = DecoderFixtures.copy(DecoderFixtures.MHA, tmp.resolve("tiny-mha"));
        try (InputStream encoder = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2-q.onnx")) {
            Files.copy(encoder, dir.resolve("onnx/model.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertThatThrownBy(() -> OnnxDecoderMember.builder().directory(dir).build())
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("unsupported signature")
                .hasMessageContaining("Expected inputs input_ids, attention_mask, position_ids (optional), "
                        + "past_key_values.")
                .hasMessageContaining("found inputs [attention_mask, input_ids, token_type_ids]");
    }

    @Test
    void chat_templateThatRaises_failsWithTheTemplatesOwnMessage(@TempDir Path tmp) throws IOException {
        Path dir = DecoderFixtures.copy(DecoderFixtures.GQA, tmp.resolve("tiny-gqa"));
        Path config = dir.resolve("tokenizer_config.json");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(config.toFile());
        json.put("chat_template", "{% for m in messages %}{% if m.role == 'system' %}"
                + "{{ raise_exception('System role not supported') }}{% endif %}{{ m.content }}{% endfor %}");
        new ObjectMapper().writeValue(config.toFile(), json);
        try (OnnxDecoderMember m = OnnxDecoderMember.builder().directory(dir).build()) {
            assertThatThrownBy(() -> m.chat(request("Paris.", 3))).isInstanceOf(NonRetriableBackendException.class)
                    .hasMessageContaining("System role not supported").hasMessageContaining("tiny-gqa/model_q4");
            TaskContext context = new TaskContext(Stage.EXTRACTION, "Paris.", List.of(), List.of(), List.of(),
                    List.of());
            assertThat(m.chat(new ChatRequest(List.of(ChatMessage.user("Paris.")), new GenerationOptions(0, 3,
                    false), context)).text()).as("without a system message it renders").isNotNull();
        }
    }

    @Test
    void builder_checksItsArguments() {
        OnnxDecoderMember.Builder b = OnnxDecoderMember.builder();
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("directory");
        assertThatThrownBy(() -> b.variant("onnx/model.onnx")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxNewTokens(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.threads(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.cuda(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.prefixCacheBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.kvCacheBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.callTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.name(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> gqa.chat(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void build_kvBudgetTooSmallForOneRequest_isRefusedSayingWhatToRaise() {
        try (OnnxDecoderMember m = member(b -> b.kvCacheBytes(4096))) {
            assertThatThrownBy(() -> m.chat(request("Paris.", 100))).isInstanceOf(NonRetriableBackendException.class)
                    .hasMessageContaining("KV cache").hasMessageContaining("kvCacheMegabytes");
        }
    }

    @Test
    void build_kvBudgetBeyondTheJvmsDirectMemory_isLoweredWithAWarn() {
        LogCapture.Captured<OnnxDecoderMember> run = LogCapture.during(() -> member(b -> b.kvCacheBytes(1L << 50)));
        try (OnnxDecoderMember m = run.value()) {
            long limit = Runtime.getRuntime().maxMemory(); // no -XX:MaxDirectMemorySize in the tests
            assertThat(m.settings().kvCacheBytes()).isLessThan(limit / 2).isGreaterThan(limit / 3);
            assertThat(run.log()).contains("WARN io.el4ner.onnx.OnnxDecoderMember", "kvCacheMegabytes",
                    "-XX:MaxDirectMemorySize=");
            assertThat(m.chat(request("Paris.", 3)).text()).isNotNull();
        }
    }
}
