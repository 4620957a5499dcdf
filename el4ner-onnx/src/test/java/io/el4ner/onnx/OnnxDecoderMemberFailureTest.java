package io.el4ner.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.onnxruntime.OrtException;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.NonRetriableBackendException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls of the {@code onnx} member that fail: a prompt longer than the context, NaN logits, deadlines, interrupts,
 * closing, running out of memory and ONNX Runtime's own failures.
 */
class OnnxDecoderMemberFailureTest extends OnnxDecoderMemberFixtures {
    @Test
    void chat_promptLongerThanTheContext_failsClearlyAndIsNeverCut() {
        try (OnnxDecoderMember mha = OnnxDecoderMember.builder().directory(DecoderFixtures.dir(DecoderFixtures.MHA))
                .build()) {
            String sentence = "Angela Merkel visited Paris on Tuesday. ".repeat(150);
            int tokens = mha.estimateTokens(sentence);
            assertThat(tokens).isGreaterThan(1024);
            Throwable thrown = catchThrowable(() -> mha.chat(request(sentence, 8)));
            assertThat(thrown).isInstanceOf(NonRetriableBackendException.class)
                    .hasMessageContaining("is 1024 tokens").hasMessageContaining("nothing was cut");
            assertThat(((ModelMemberException) thrown).memberName()).isEqualTo("tiny-mha");
            assertThat(thrown.getMessage()).containsPattern("the prompt has \\d{4} tokens");
        }
    }

    @Test
    void chat_nanLogits_failNonRetriablyNamingTheModel(@TempDir Path tmp) throws IOException {
        Path dir = DecoderFixtures.copy(DecoderFixtures.GQA, tmp.resolve("tiny-gqa"));
        Path data = dir.resolve("onnx/model.onnx_data");
        ByteBuffer nan = ByteBuffer.allocate((int) Files.size(data)).order(ByteOrder.LITTLE_ENDIAN);
        while (nan.remaining() >= 4) {
            nan.putFloat(Float.NaN);
        }
        Files.write(data, nan.array());
        try (OnnxDecoderMember m = OnnxDecoderMember.builder().directory(dir).variant("model").name("broken")
                .build()) {
            Throwable thrown = catchThrowable(() -> m.chat(request("Paris.", 4)));
            assertThat(thrown).isInstanceOf(NonRetriableBackendException.class)
                    .hasMessageContaining("tiny-gqa/model").hasMessageContaining("NaN");
            assertThat(((ModelMemberException) thrown).memberName()).isEqualTo("broken");
            assertThat(((ModelMemberException) thrown).isRetriable()).isFalse();
        }
    }

    /**
     * A seed with which the sampled answer to {@link #longCall()} runs to the 1,024-token limit: unseeded, about one
     * call in twenty sampled an end token within the first 200 ms, and the tests below failed.
     */
    private static final long LONG_ANSWER_SEED = 1;

    private static ChatRequest longCall() {
        return request("Angela Merkel visited Paris.", 2000, 1.0);
    }

    @Test
    void chat_callTimeout_endsALongCallWithARetriableTimeout() {
        try (OnnxDecoderMember m = member(b -> b.callTimeout(Duration.ofMillis(200)).seed(LONG_ANSWER_SEED))) {
            long t0 = System.nanoTime();
            Throwable thrown = catchThrowable(() -> m.chat(longCall()));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(thrown).isInstanceOf(MemberTimeoutException.class).hasMessageContaining("200 ms");
            assertThat(((MemberTimeoutException) thrown).isRetriable()).isTrue();
            assertThat(millis).isLessThan(2000);
            assertThat(m.chat(request("Paris.", 3)).text()).as("the member goes on").isNotNull();
        }
    }

    @Test
    void chat_interrupt_endsTheCallAtOnceAndKeepsTheFlag() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flag = new AtomicBoolean();
        OnnxDecoderMember m = member(b -> b.seed(LONG_ANSWER_SEED));
        Thread caller = new Thread(() -> {
            thrown.set(catchThrowable(() -> m.chat(longCall())));
            flag.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        Thread.sleep(100);
        long t0 = System.nanoTime();
        caller.interrupt();
        caller.join(5000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
        assertThat(thrown.get()).isInstanceOf(MemberTimeoutException.class).hasMessageContaining("interrupted");
        assertThat(flag.get()).isTrue();
        m.close();
    }

    @Test
    void close_failsTheCallsInFlightAndRefusesLaterOnes() throws Exception {
        OnnxDecoderMember m = member(b -> b.seed(LONG_ANSWER_SEED));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> thrown.set(catchThrowable(() -> m.chat(longCall()))));
        caller.start();
        Thread.sleep(100);
        m.close();
        caller.join(5000);
        assertThat(thrown.get()).isInstanceOf(ModelMemberException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> m.chat(request("Paris.", 3))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        m.close();
    }

    @Test
    void chat_memoryRunningOutDuringACall_failsThatCallRetriablyAndTheMemberGoesOn() throws Exception {
        try (OnnxDecoderMember m = member(b -> b)) {
            AtomicBoolean once = new AtomicBoolean(true);
            faults(m, point -> {
                if (point.equals("prefill") && once.getAndSet(false)) {
                    throw new OutOfMemoryError("Direct buffer memory");
                }
            });
            Throwable thrown = catchThrowable(() -> m.chat(request("Paris.", 3)));
            assertThat(thrown).isInstanceOf(io.el4ner.api.RetriableBackendException.class)
                    .hasMessageContaining("ran out of memory").hasMessageContaining("Direct buffer memory")
                    .hasMessageContaining("-XX:MaxDirectMemorySize").hasMessageContaining("the member goes on");
            assertThat(m.chat(request("Paris.", 3)).text()).isEqualTo(gqa.chat(request("Paris.", 3)).text());
        }
    }


    @Test
    void chat_onnxRuntimeFailures_areRetriableWhenMemoryRanOutAndNeverBlameTheModelFile() throws Exception {
        try (OnnxDecoderMember m = member(b -> b)) {
            for (String message : List.of("CUDA failure 2: out of memory ; GPU=0", "Failed to allocate memory for "
                    + "requested buffer of size 123456", "Non-zero status code returned while running MatMul node")) {
                AtomicBoolean once = new AtomicBoolean(true);
                faults(m, point -> {
                    if (point.equals("step") && once.getAndSet(false)) {
                        OnnxDecoderMemberFailureTest.<RuntimeException>sneaky(new OrtException(
                                OrtException.OrtErrorCode.ORT_RUNTIME_EXCEPTION, message));
                    }
                });
                Throwable thrown = catchThrowable(() -> m.chat(request("Paris.", 3)));
                boolean memory = !message.startsWith("Non-zero");
                assertThat(thrown).as(message).isInstanceOf(memory ? io.el4ner.api.RetriableBackendException.class
                        : NonRetriableBackendException.class).hasMessageContaining(message)
                        .hasMessageContaining("on CPU").hasMessageNotContaining("damaged");
                assertThat(thrown.getMessage()).contains(memory ? "ran out of memory" : "ONNX Runtime failed");
                assertThat(m.chat(request("Paris.", 3)).text()).as("the member goes on").isNotNull();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneaky(Throwable t) throws E {
        throw (E) t;
    }

}
