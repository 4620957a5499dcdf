package io.el4ner.hub;

import io.el4ner.hub.testing.LoopbackHub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

/** The repositories the tests download from, and clients with short timeouts. */
final class Fixtures {
    static final String REPO = "org/model";
    static final String CONFIG = "config.json";
    static final String MODEL = "onnx/model.onnx";
    static final byte[] CONFIG_BYTES = "{\"model_type\": \"llama\"}\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] MODEL_BYTES = randomBytes(300_000, 7);

    private Fixtures() {
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static LoopbackHub hub() {
        LoopbackHub hub = LoopbackHub.start();
        hub.repo(REPO).file(CONFIG, CONFIG_BYTES).lfsFile(MODEL, MODEL_BYTES);
        return hub;
    }

    /** A builder with the loopback endpoint, the cache, an environment of its own and short waits. */
    static HubClient.Builder client(LoopbackHub hub, Path cache) {
        return HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache)
                .environment(Map.of("HF_HOME", cache.resolve("hf-home").toString()))
                .backoff(Duration.ofMillis(1));
    }
}
