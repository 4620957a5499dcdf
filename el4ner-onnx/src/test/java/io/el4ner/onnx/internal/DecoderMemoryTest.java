package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxJavaType;
import io.el4ner.api.El4nerConfigurationException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The caches' budgets against the JVM's memory limits, for a model shaped like Qwen2.5-0.5B (fp32 KV). */
class DecoderMemoryTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    /** 24 layers, 2 KV heads of 64, vocabulary 151,936: 24 KiB of KV per token. */
    private static final DecoderSignature QWEN = new DecoderSignature(24, 2, 64, OnnxJavaType.FLOAT,
            OnnxJavaType.FLOAT, 151_936, true);
    private static final long LOGITS = 64L * 151_936 * 4;

    @Test
    void withRoomEnough_theBudgetsAreKept() {
        List<String> warnings = new ArrayList<>();
        DecoderMemory m = DecoderMemory.fit("qwen", 2 * GIB, 256 * MIB, QWEN, 8, 64, 16 * GIB, 16 * GIB, warnings);
        assertThat(m).isEqualTo(new DecoderMemory(2 * GIB, 256 * MIB, LOGITS));
        assertThat(warnings).isEmpty();
    }

    @Test
    void aKvBudgetBeyondHalfTheDirectMemory_isLoweredSayingWhatToSet() {
        List<String> warnings = new ArrayList<>();
        // -Xmx1g and no -XX:MaxDirectMemorySize: 1 GiB of direct memory, less than twice the default 2 GiB.
        DecoderMemory m = DecoderMemory.fit("qwen", 2 * GIB, 256 * MIB, QWEN, 8, 64, GIB, GIB, warnings);
        assertThat(2 * m.kvCacheBytes() + m.logitsBytes() + GIB / 16).as("old + new batch, logits and the reserve")
                .isLessThanOrEqualTo(GIB).isGreaterThan(GIB - 4);
        assertThat(m.prefixCacheBytes()).isEqualTo(256 * MIB);
        assertThat(warnings).singleElement().asString().contains("qwen", "2048 MiB (kvCacheMegabytes)",
                "-XX:MaxDirectMemorySize=4", "using 462 MiB instead", "kvCacheMegabytes to at most 461");
    }

    @Test
    void aPrefixCacheBeyondAQuarterOfTheHeap_isLoweredSayingWhatToSet() {
        List<String> warnings = new ArrayList<>();
        DecoderMemory m = DecoderMemory.fit("qwen", 64 * MIB, 256 * MIB, QWEN, 8, 64, 16 * GIB, 512 * MIB, warnings);
        assertThat(m.prefixCacheBytes()).isEqualTo(128 * MIB);
        assertThat(m.kvCacheBytes()).isEqualTo(64 * MIB);
        assertThat(warnings).singleElement().asString().contains("256 MiB (prefixCacheMegabytes)", "-Xmx1024m",
                "prefixCacheMegabytes to at most 128");
    }

    @Test
    void noRoomForTheLogitsBuffer_failsTheBuildSayingWhatToSet() {
        // -XX:MaxDirectMemorySize=300k, where the review's call hung: the logits buffer alone needs 37 MiB.
        assertThatThrownBy(() -> DecoderMemory.fit("qwen", 2 * GIB, 256 * MIB, QWEN, 8, 64, 300 * 1024, GIB,
                new ArrayList<>())).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("qwen needs 38 MiB of direct memory for its logits buffer")
                .hasMessageContaining("prefillChunkTokens 64").hasMessageContaining("the JVM allows 300 KiB")
                .hasMessageContaining("-XX:MaxDirectMemorySize");
    }

    @Test
    void aBudgetLoweredBelowOneMebibyte_isSaidInKibibytes() {
        // tiny-gqa (512 bytes a token, vocabulary 4096) with -XX:MaxDirectMemorySize=3m
        DecoderSignature tiny = new DecoderSignature(2, 2, 16, OnnxJavaType.FLOAT, OnnxJavaType.FLOAT, 4096, true);
        List<String> warnings = new ArrayList<>();
        DecoderMemory m = DecoderMemory.fit("tiny", 8 * MIB, 0, tiny, 8, 64, 3 * MIB, GIB, warnings);
        assertThat(m.kvCacheBytes()).isEqualTo((3 * MIB - 3 * MIB / 16 - MIB) / 2);
        assertThat(warnings).singleElement().asString().contains("allows (3 MiB", "using 928 KiB instead",
                "kvCacheMegabytes to at most 0.90");
    }

    @Test
    void logitsBeyondOneJavaBuffer_failTheBuildNamingTheParameter() {
        // 151,936 x 4 bytes a position: 3,533 positions fit in 2 GiB.
        assertThatThrownBy(() -> DecoderMemory.fit("qwen", GIB, 0, QWEN, 4000, 64, 64 * GIB, 64 * GIB,
                new ArrayList<>())).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("qwen: maxBatchSize 4000 x vocabulary 151936 x 4 bytes of logits")
                .hasMessageContaining("set maxBatchSize to at most 3533");
        assertThatThrownBy(() -> DecoderMemory.fit("qwen", GIB, 0, QWEN, 8, 5000, 64 * GIB, 64 * GIB,
                new ArrayList<>())).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("set prefillChunkTokens to at most 3533");
        assertThat(DecoderMemory.fit("qwen", GIB, 0, QWEN, 3533, 3533, 64 * GIB, 64 * GIB, new ArrayList<>())
                .logitsBytes()).isLessThanOrEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void describeKv_saysHowManyCallsFit() {
        assertThat(DecoderMemory.describeKv(2 * GIB, 24_576, 32_768, 8)).isEqualTo("KV cache 2048 MiB, 24576 bytes "
                + "a token: 2 calls of the whole context (32768 tokens) or 8 of 1024 tokens at once (maxBatchSize 8)");
        assertThat(DecoderMemory.describeKv(8 * MIB, 512, 1024, 4)).isEqualTo("KV cache 8 MiB, 512 bytes a token: 4 "
                + "calls of the whole context (1024 tokens) at once (maxBatchSize 4)");
    }

    @Test
    void directMemoryLimit_jvmLimits_areRead() {
        assertThat(DecoderMemory.directMemoryLimit()).as("no -XX:MaxDirectMemorySize in the tests: the heap's")
                .isEqualTo(Runtime.getRuntime().maxMemory());
        assertThat(DecoderMemory.parseSize("300k")).isEqualTo(300 * 1024);
        assertThat(DecoderMemory.parseSize("2G")).isEqualTo(2 * GIB);
        assertThat(DecoderMemory.parseSize("1048576")).isEqualTo(MIB);
        assertThat(DecoderMemory.parseSize("lots")).isEqualTo(-1);
    }
}
