package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.el4ner.core.DefaultEnsemble;
import io.el4ner.hub.testing.LoopbackHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code el4ner recognize} without {@code --config}: the default ensemble, its models downloaded from a loopback Hub
 * (fixture copies with random weights under the default repository ids) into an empty cache, then run offline from
 * that cache; offline with an empty cache it stops with one message. Random weights: any valid JSON result counts.
 */
class RecognizeDefaultEnsembleTest {
    /** Stdout must be one JSON document and nothing else (no progress line, no second document). */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final String TEXT = "Tim Cook visited Berlin.";

    @TempDir
    Path tmp;

    private LoopbackHub hub;
    private Path cache;

    @BeforeEach
    void startHub() throws IOException {
        hub = LoopbackHub.serving(DefaultHubFixture.layout(DefaultHubFixture.DECODERS,
                Files.createDirectories(tmp.resolve("hub"))));
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private Map<String, String> env(boolean offline) {
        Map<String, String> env = new HashMap<>();
        env.put("HF_ENDPOINT", hub.endpoint().toString());
        env.put("HF_HUB_CACHE", cache.toString());
        env.put("HF_HOME", tmp.resolve("hf-home").toString());
        if (offline) {
            env.put("HF_HUB_OFFLINE", "1");
        }
        return env;
    }

    private static void assertJsonResult(ModelsCommandTest.Run r) throws IOException {
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode result = JSON.readTree(r.out());
        assertThat(result.has("entities")).as(r.out()).isTrue();
        for (JsonNode e : result.get("entities")) {
            assertThat(TEXT.substring(e.get("start").asInt(), e.get("end").asInt())).isEqualTo(e.get("text").asText());
        }
        assertThat(result.get("usage").toString()).contains("qwen", "smollm2", "llama");
    }

    @Test
    void recognize_noConfigEmptyCache_downloadsTheDefaultModelsAndPrintsJson_thenRunsOfflineFromTheCache()
            throws IOException {
        ModelsCommandTest.Run first = ModelsCommandTest.run(env(false), "recognize", "--text", TEXT);

        assertJsonResult(first);
        for (DefaultEnsemble.Member m : DefaultEnsemble.members()) {
            assertThat(cache.resolve("models--" + m.repo().replace("/", "--")).resolve("snapshots")
                    .resolve(hub.repo(m.repo()).commit()).resolve("onnx/" + m.variant() + ".onnx")).isRegularFile();
        }
        hub.clearRequests();

        ModelsCommandTest.Run offline = ModelsCommandTest.run(env(true), "recognize", "--text", TEXT);

        assertJsonResult(offline);
        assertThat(hub.requests()).as("offline, nothing is asked of the Hub").isEmpty();

        // Online again, the cache full: nothing is asked of the Hub either (no HEAD per file, no re-hashing), so a
        // run with the network down starts at once.
        ModelsCommandTest.Run online = ModelsCommandTest.run(env(false), "recognize", "--text", TEXT);
        assertJsonResult(online);
        assertThat(hub.requests()).isEmpty();
        Map<String, String> down = env(false);
        down.put("HF_ENDPOINT", "http://127.0.0.1:9"); // nothing listens on the discard port
        assertJsonResult(ModelsCommandTest.run(down, "recognize", "--text", TEXT));
    }

    @Test
    void recognize_noConfigOfflineEmptyCache_exit1WithOneMessageSayingWhatToDownloadAndHow() {
        ModelsCommandTest.Run r = ModelsCommandTest.run(env(true), "recognize", "--text", TEXT);

        assertThat(r.exit()).isEqualTo(Main.FAILURE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: the default ensemble's models are not all in the Hugging Face cache: "
                        + "HF_HUB_OFFLINE is set").contains(cache.toString())
                .contains(DefaultEnsemble.members().get(0).repo())
                .contains("'el4ner models --download'").contains("--config FILE").contains("examples/el4ner.json");
        assertThat(hub.requests()).isEmpty();
    }
}
