package io.el4ner.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime (1.29) needs close to a thread's default 1 MiB of native stack to load its library and create a
 * session, so a JVM whose main thread has less room left (started with a command line of a few kB, as an
 * application with a long class path is) died of a SIGSEGV, with no error report, when el4ner loaded a model on that
 * thread. A child JVM with a 16 kB command line loads a decoder member and a sentence encoder and answers.
 */
class LongCommandLineTest {
    @TempDir
    Path tmp;

    /**
     * The child JVM: loads the member and the encoder on its main thread, decodes, encodes.
     *
     * @param args the decoder fixture's folder
     */
    public static void main(String[] args) {
        try (OnnxDecoderMember m = OnnxDecoderMember.builder().directory(Path.of(args[0])).build();
             OnnxSentenceEncoder e = OnnxSentenceEncoder.builder().build()) {
            TaskContext c = new TaskContext(Stage.EXTRACTION, "Tim Cook visited Berlin.", List.of(), List.of(),
                    List.of(), List.of());
            String answer = m.chat(new ChatRequest(List.of(ChatMessage.user("Sentence: Tim Cook visited Berlin.")),
                    GenerationOptions.greedyJson(24), c)).text();
            System.out.println("answer " + !answer.isEmpty() + ", dimension " + e.encode(List.of("Paris")).get(0)
                    .length);
        }
    }

    @Test
    void modelsLoad_inAJvmStartedWithALongCommandLine() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = tmp.resolve("child.log");
        Process p = new ProcessBuilder(List.of(java, "-Del4ner.test.padding=" + "x".repeat(16_000), "-cp",
                System.getProperty("java.class.path"), LongCommandLineTest.class.getName(),
                DecoderFixtures.dir(DecoderFixtures.GQA).toString())).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(done).as(out).isTrue();
        assertThat(p.exitValue()).as("exit 139 is the SIGSEGV of a native stack overflow: %s", out).isZero();
        assertThat(out).contains("answer true, dimension 384");
    }
}
