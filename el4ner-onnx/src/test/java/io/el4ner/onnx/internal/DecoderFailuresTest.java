package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ModelMemberException;
import org.junit.jupiter.api.Test;

class DecoderFailuresTest {
    @Test
    void outOfMemory_allocatorMessages_areRecognised() {
        assertThat(DecoderFailures.outOfMemory("CUDA out of memory")).isTrue();
        assertThat(DecoderFailures.outOfMemory("Failed to allocate memory for requested buffer")).isTrue();
        assertThat(DecoderFailures.outOfMemory("std::bad_alloc")).isTrue();
        assertThat(DecoderFailures.outOfMemory("cudaErrorMemoryAllocation")).isTrue();
    }

    @Test
    void outOfMemory_otherMessagesOrNull_areNot() {
        assertThat(DecoderFailures.outOfMemory("Invalid input name: past_key_values.0.key")).isFalse();
        assertThat(DecoderFailures.outOfMemory(null)).isFalse();
    }

    @Test
    void closedDuringCall_anyCause_namesTheMember() {
        ModelMemberException e = new DecoderFailures("qwen", "Qwen/model_q4", "CPU", null).closedDuringCall(null);
        assertThat(e).hasMessageContaining("member 'qwen' was closed during the call");
    }
}
