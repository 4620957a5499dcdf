package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.NerResult;
import io.el4ner.api.UsageEntry;
import io.el4ner.core.DefaultEnsemble;
import io.el4ner.core.EnsembleNer;
import io.el4ner.hub.testing.LoopbackHub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code EnsembleNer.builder().defaultEnsemble()} from Java, as an application calls it: the {@code onnx} members
 * download their models through the provider (the {@code HF_*} environment read from the process, so the call runs
 * in a child JVM whose environment points at a loopback Hub serving fixture models under the default repository
 * ids), then recognize a text.
 */
class DefaultEnsembleJavaApiTest {
    @TempDir
    Path tmp;

    /**
     * The child JVM: the default ensemble from Java; prints the members that answered and the entity count.
     *
     * @param args the text
     */
    public static void main(String[] args) {
        try (EnsembleNer ner = EnsembleNer.builder().defaultEnsemble().build()) {
            NerResult r = ner.recognize(args[0]);
            System.out.println("members " + r.usage().entries().stream().map(UsageEntry::member).distinct()
                    .sorted().collect(Collectors.joining(",")) + "; " + r.entities().size() + " entities");
        }
    }

    @Test
    void defaultEnsemble_fromJava_downloadsThroughTheProviderAndRecognizes() throws Exception {
        try (LoopbackHub hub = LoopbackHub.serving(DefaultHubFixture.layout(DefaultHubFixture.DECODERS,
                Files.createDirectories(tmp.resolve("hub"))))) {
            Path cache = tmp.resolve("cache");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    DefaultEnsembleJavaApiTest.class.getName(), "Tim Cook visited Berlin.")).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("child.log").toFile()); // a file: a full pipe would block the child
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("HF_") || k.equals("HUGGING_FACE_HUB_TOKEN"));
            env.put("HF_ENDPOINT", hub.endpoint().toString());
            env.put("HF_HUB_CACHE", cache.toString());
            env.put("HF_HOME", tmp.resolve("hf-home").toString());
            Process p = pb.start();
            boolean done = p.waitFor(180, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            String out = Files.readString(tmp.resolve("child.log"), StandardCharsets.UTF_8);
            assertThat(done).as(out).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("members llama,qwen,smollm2;");
            for (DefaultEnsemble.Member m : DefaultEnsemble.members()) {
                assertThat(cache.resolve("models--" + m.repo().replace("/", "--")).resolve("snapshots")
                        .resolve(hub.repo(m.repo()).commit()).resolve("onnx/" + m.variant() + ".onnx"))
                        .isRegularFile();
            }
        }
    }
}
