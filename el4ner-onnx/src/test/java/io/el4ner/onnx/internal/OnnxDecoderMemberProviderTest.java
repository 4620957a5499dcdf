package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.onnx.CudaAssumptions;
import io.el4ner.onnx.DecoderFixtures;
import io.el4ner.onnx.OnnxDecoderMember;
import io.el4ner.onnx.OnnxDecoderMemberFixtures;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code onnx} provider's parameters: every one read, checked and named when wrong. */
class OnnxDecoderMemberProviderTest {
    private static final String DIR = DecoderFixtures.dir(DecoderFixtures.GQA).toString();

    private static ModelMember create(Map<String, Object> parameters) {
        return new OnnxDecoderMemberProvider().create(ComponentConfig.of("member 'local'", parameters));
    }

    @Test
    void create_withEveryParameter() {
        Map<String, Object> p = new HashMap<>();
        p.put("name", "local");
        p.put("directory", DIR);
        p.put("variant", "model");
        p.put("maxNewTokens", 4);
        p.put("threads", 1);
        p.put("cuda", false);
        p.put("seed", 3);
        p.put("maxBatchSize", 2);
        p.put("prefixCacheMegabytes", 16);
        p.put("kvCacheMegabytes", 64.5);
        p.put("callTimeoutSeconds", 30);
        try (ModelMember m = create(p)) {
            OnnxDecoderMember member = (OnnxDecoderMember) m;
            assertThat(member.name()).isEqualTo("local");
            assertThat(member.model()).isEqualTo("tiny-gqa/model");
            assertThat(member.executionProvider()).isEqualTo("CPU");
            OnnxDecoderMember.Settings s = member.settings();
            assertThat(s.maxNewTokens()).isEqualTo(4);
            assertThat(s.threads()).isEqualTo(1);
            assertThat(s.seed()).hasValue(3);
            assertThat(s.maxBatchSize()).isEqualTo(2);
            assertThat(s.prefixCacheBytes()).isEqualTo(16L << 20);
            assertThat(s.kvCacheBytes()).isEqualTo((long) (64.5 * (1 << 20)));
            assertThat(s.callTimeout()).hasValue(java.time.Duration.ofSeconds(30));
            assertThat(member.chat(OnnxDecoderMemberFixtures.request("Paris.", 100)).usage().completionTokens())
                    .as("maxNewTokens caps the request").isLessThanOrEqualTo(4);
        }
        p.remove("seed");
        p.remove("callTimeoutSeconds");
        p.remove("maxBatchSize");
        try (ModelMember m = create(p)) {
            OnnxDecoderMember.Settings s = ((OnnxDecoderMember) m).settings();
            assertThat(s.seed()).isEmpty();
            assertThat(s.callTimeout()).isEmpty();
            assertThat(s.maxBatchSize()).isEqualTo(OnnxDecoderMember.DEFAULT_MAX_BATCH_SIZE);
        }
    }

    @Test
    void directory_isRelativeToTheConfigurationsFolder() {
        Path fixture = DecoderFixtures.dir(DecoderFixtures.GQA);
        ComponentConfig config = new ComponentConfig("member 'local'", Map.of("directory", "tiny-gqa"), List.of(),
                List.of(), fixture.getParent());
        try (ModelMember m = new OnnxDecoderMemberProvider().create(config)) {
            assertThat(m.name()).isEqualTo("tiny-gqa");
        }
    }

    @Test
    void cuda_asADeviceNumberOrWithDeviceId_fallsBackToTheCpu() {
        CudaAssumptions.assumeCudaAbsent();
        try (ModelMember m = create(Map.of("directory", DIR, "cuda", 1))) {
            assertThat(((OnnxDecoderMember) m).executionProvider()).isEqualTo("CPU");
        }
        try (ModelMember m = create(Map.of("directory", DIR, "cuda", true, "deviceId", 0))) {
            assertThat(((OnnxDecoderMember) m).executionProvider()).isEqualTo("CPU");
        }
        assertThatThrownBy(() -> create(Map.of("directory", DIR, "cuda", true, "cudaRequired", true)))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("cudaRequired")
                .hasMessageContaining("onnxruntime_gpu");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "maxNewToken | 3 | did you mean 'maxNewTokens'?",
            "threads | x | parameter 'threads' must be an integer",
            "maxNewTokens | 0 | parameter 'maxNewTokens': maxNewTokens must be at least 1",
            "maxBatchSize | -2 | parameter 'maxBatchSize'",
            "variant | onnx/model.onnx | parameter 'variant'",
            "prefixCacheMegabytes | -1 | parameter 'prefixCacheMegabytes' must be a number of megabytes >= 0",
            "kvCacheMegabytes | 0 | parameter 'kvCacheMegabytes' must be a number of megabytes > 0",
            "callTimeoutSeconds | 0 | parameter 'callTimeoutSeconds' must be a number of seconds > 0",
            "deviceId | 1 | 'deviceId' needs \"cuda\": true",
            "cudaRequired | true | 'cudaRequired' needs \"cuda\": true",
            "cuda | yes | parameter 'cuda' must be true, false or a CUDA device number, got yes"})
    void badParameter_isNamed(String key, String value, String message) {
        Map<String, Object> p = new HashMap<>();
        p.put("directory", DIR);
        p.put(key, value.matches("-?\\d+") ? (Object) Integer.valueOf(value) : value.equals("true") ? (Object) true
                : value);
        assertThatThrownBy(() -> create(p)).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("member 'local'").hasMessageContaining(message);
    }

    @Test
    void missingDirectory_saysWhatItIs() {
        assertThatThrownBy(() -> create(Map.of("variant", "model"))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("missing required parameter 'directory'").hasMessageContaining("config.json");
    }
}
