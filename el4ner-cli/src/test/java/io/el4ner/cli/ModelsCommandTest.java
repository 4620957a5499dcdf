package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.el4ner.core.DefaultEnsemble;
import io.el4ner.hub.testing.LoopbackHub;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code el4ner models} against a loopback Hub serving fixture copies under the default repository ids. */
class ModelsCommandTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    private LoopbackHub hub;
    private Path served;
    private Path cache;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void startHub() throws IOException {
        served = DefaultHubFixture.layout(DefaultHubFixture.DECODERS, Files.createDirectories(tmp.resolve("hub")));
        hub = LoopbackHub.serving(served);
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    /** The environment of a machine whose Hub is the loopback one and whose cache is empty at first. */
    Map<String, String> env(boolean offline) {
        Map<String, String> env = new HashMap<>();
        env.put("HF_ENDPOINT", hub.endpoint().toString());
        env.put("HF_HUB_CACHE", cache.toString());
        env.put("HF_HOME", tmp.resolve("hf-home").toString());
        if (offline) {
            env.put("HF_HUB_OFFLINE", "1");
        }
        return env;
    }

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private long servedSize(DefaultEnsemble.Member m, String path) throws IOException {
        return Files.size(served.resolve(m.repo()).resolve(path));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void json_everyMemberWithItsFilesAndSizes_exactlyTheseKeysInThisOrder() throws IOException {
        Run r = run(env(false), "models", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).endsWith("}\n").doesNotContain("\n{");
        JsonNode root = JSON.readTree(r.out());
        assertThat(fieldNames(root)).containsExactly("models", "bytes");
        List<DefaultEnsemble.Member> members = DefaultEnsemble.members();
        assertThat(root.get("models")).hasSize(members.size());
        long total = 0;
        for (int i = 0; i < members.size(); i++) {
            DefaultEnsemble.Member m = members.get(i);
            JsonNode model = root.get("models").get(i);
            assertThat(fieldNames(model)).containsExactly("member", "repo", "revision", "variant", "files", "bytes");
            assertThat(model.get("member").asText()).isEqualTo(m.name());
            assertThat(model.get("repo").asText()).isEqualTo(m.repo());
            assertThat(model.get("revision").asText()).isEqualTo(m.revision());
            assertThat(model.get("variant").asText()).isEqualTo(m.variant());
            long sum = 0;
            assertThat(model.get("files")).hasSize(m.files().size());
            for (int j = 0; j < m.files().size(); j++) {
                JsonNode file = model.get("files").get(j);
                String path = m.files().get(j).path();
                assertThat(fieldNames(file)).containsExactly("path", "bytes");
                assertThat(file.get("path").asText()).isEqualTo(path);
                assertThat(file.get("bytes").asLong()).isEqualTo(servedSize(m, path));
                sum += file.get("bytes").asLong();
            }
            assertThat(model.get("bytes").asLong()).isEqualTo(sum);
            total += sum;
        }
        assertThat(root.get("bytes").asLong()).isEqualTo(total);
        assertThat(hub.count("GET")).as("listing downloads nothing").isZero();
        assertThat(cache.resolve("models--onnx-community--Qwen2.5-0.5B-Instruct/blobs")).doesNotExist();
    }

    @Test
    void text_listsMembersTotalAndHowToDownload() {
        Run r = run(env(false), "models");

        assertThat(r.exit()).as(r.err()).isZero();
        for (DefaultEnsemble.Member m : DefaultEnsemble.members()) {
            assertThat(r.out()).contains(m.name() + " ").contains(m.repo() + " @ " + m.revision())
                    .contains("onnx/" + m.variant() + ".onnx");
        }
        assertThat(r.out()).startsWith("The default ensemble (el4ner recognize without --config) needs 3 models, ")
                .contains("not in the cache").contains("(size from the Hub)").contains("Cache: " + cache)
                .contains("Download them with: el4ner models --download");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void download_fetchesAndVerifiesEveryFile_thenOfflineListingComesFromTheCache() throws IOException {
        Run download = run(env(false), "models", "--download");

        assertThat(download.exit()).as(download.err()).isZero();
        assertThat(download.out()).contains("in the cache, verified").doesNotContain("not in the cache");
        for (DefaultEnsemble.Member m : DefaultEnsemble.members()) {
            Path snapshots = cache.resolve("models--" + m.repo().replace("/", "--")).resolve("snapshots");
            String commit = hub.repo(m.repo()).commit();
            for (DefaultEnsemble.ModelFile f : m.files()) {
                assertThat(Files.readAllBytes(snapshots.resolve(commit).resolve(f.path())))
                        .isEqualTo(Files.readAllBytes(served.resolve(m.repo()).resolve(f.path())));
            }
        }
        hub.clearRequests();

        Run offline = run(env(true), "models", "--json");

        assertThat(offline.exit()).as(offline.err()).isZero();
        assertThat(hub.requests()).isEmpty();
        assertThat(JSON.readTree(offline.out()).get("bytes").asLong())
                .isEqualTo(JSON.readTree(run(env(false), "models", "--json").out()).get("bytes").asLong());
        assertThat(run(env(true), "models").out()).contains("in the cache").doesNotContain("not in the cache")
                .contains("(size from the cache)");
    }

    @Test
    void models_offlineEmptyCache_exit1WithOneMessageNamingTheRepository() {
        Run r = run(env(true), "models", "--json");

        assertThat(r.exit()).isEqualTo(Main.FAILURE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: listing the default ensemble's models failed: ")
                .contains(DefaultEnsemble.members().get(0).repo());
    }

    @Test
    void models_unreachableHubEmptyCache_exit1WithOneMessageNamingTheUrl() throws IOException {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Map<String, String> env = env(false);
        env.put("HF_ENDPOINT", "http://127.0.0.1:" + closed);

        Run r = run(env, "models", "--download");

        assertThat(r.exit()).isEqualTo(Main.FAILURE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: downloading the default ensemble's models failed: ")
                .contains("http://127.0.0.1:" + closed).contains(cache.toString());
    }

    @Test
    void download_corruptedTransfer_fetchesAgainAndSucceeds() {
        hub.fault("onnx/" + DefaultEnsemble.members().get(0).variant() + ".onnx", LoopbackHub.Fault.CORRUPT);

        Run r = run(env(false), "models", "--download");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("not in the cache");
    }
}
