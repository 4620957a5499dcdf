package io.el4ner.hub;

import io.el4ner.hub.testing.LoopbackHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.el4ner.hub.Fixtures.CONFIG;
import static io.el4ner.hub.Fixtures.CONFIG_BYTES;
import static io.el4ner.hub.Fixtures.MODEL;
import static io.el4ner.hub.Fixtures.MODEL_BYTES;
import static io.el4ner.hub.Fixtures.REPO;
import static io.el4ner.hub.Fixtures.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HubClientTest {
    @TempDir
    Path cache;

    private final LoopbackHub hub = Fixtures.hub();

    @AfterEach
    void close() {
        hub.close();
    }

    @Test
    void download_firstTime_fillsBlobsSnapshotsAndRefsLikeHuggingfaceHub() throws IOException {
        String commit = hub.repo(REPO).commit();
        String sha = LoopbackHub.sha256(MODEL_BYTES);
        String blobId = LoopbackHub.gitBlobId(CONFIG_BYTES);
        try (HubClient client = client(hub, cache).build()) {
            Path config = client.download(REPO, "main", CONFIG);
            Path model = client.download(REPO, "main", MODEL);

            Path repoDir = cache.resolve("models--org--model");
            assertThat(config).isEqualTo(repoDir.resolve("snapshots").resolve(commit).resolve(CONFIG));
            assertThat(model).isEqualTo(repoDir.resolve("snapshots").resolve(commit).resolve("onnx/model.onnx"));
            assertThat(Files.readString(repoDir.resolve("refs/main"), StandardCharsets.UTF_8)).isEqualTo(commit);
            assertThat(Files.isSymbolicLink(config)).isTrue();
            assertThat(Files.readSymbolicLink(config)).isEqualTo(Path.of("../../blobs/" + blobId));
            assertThat(Files.readSymbolicLink(model)).isEqualTo(Path.of("../../../blobs/" + sha));
            assertThat(Files.readAllBytes(repoDir.resolve("blobs").resolve(sha))).isEqualTo(MODEL_BYTES);
            assertThat(Files.readAllBytes(config)).isEqualTo(CONFIG_BYTES);
            try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
                assertThat(blobs.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(sha, blobId);
            }
            assertThat(cache.resolve(".locks/models--org--model/" + sha + ".lock")).exists();
        }
    }

    @Test
    void download_servingDirectoryWithPinnedCommit_resolvesThatCommitAndMain(@TempDir Path served) throws IOException {
        String pinned = "0123456789abcdef0123456789abcdef01234567";
        Files.createDirectories(served.resolve("acme/tiny/onnx"));
        Files.write(served.resolve("acme/tiny/config.json"), CONFIG_BYTES);
        Files.write(served.resolve("acme/tiny/onnx/model.onnx"), MODEL_BYTES);
        Files.writeString(served.resolve("acme/tiny.commit"), pinned + "\n");
        try (LoopbackHub dirHub = LoopbackHub.serving(served);
             HubClient client = client(dirHub, cache).build()) {
            Path byCommit = client.download("acme/tiny", pinned, "onnx/model.onnx");
            Path byBranch = client.download("acme/tiny", "main", "config.json");

            Path snapshot = cache.resolve("models--acme--tiny/snapshots").resolve(pinned);
            assertThat(byCommit).isEqualTo(snapshot.resolve("onnx/model.onnx"));
            assertThat(byBranch).isEqualTo(snapshot.resolve("config.json"));
            assertThat(dirHub.repoIds()).containsExactly("acme/tiny");
            assertThatThrownBy(() -> client.download("acme/tiny", "f".repeat(40), "config.json"))
                    .isInstanceOfSatisfying(HubException.class,
                            e -> assertThat(e.reason()).isEqualTo(HubException.Reason.REVISION_NOT_FOUND));
        }
    }

    @Test
    void download_secondTime_makesNoGet() {
        try (HubClient client = client(hub, cache).build()) {
            Path first = client.download(REPO, "main", MODEL);
            hub.clearRequests();

            Path second = client.download(REPO, "main", MODEL);

            assertThat(second).isEqualTo(first);
            assertThat(hub.count("GET")).isZero();
            assertThat(hub.count("HEAD")).isEqualTo(1);
        }
    }

    @Test
    void download_commitHashInCache_asksNothing() {
        String commit = hub.repo(REPO).commit();
        try (HubClient client = client(hub, cache).build()) {
            client.download(REPO, "main", CONFIG);
            hub.clearRequests();

            Path again = client.download(REPO, commit, CONFIG);

            assertThat(again).hasBinaryContent(CONFIG_BYTES);
            assertThat(hub.requests()).isEmpty();
        }
    }

    @Test
    void download_offline_readsCacheOnly() {
        try (HubClient online = client(hub, cache).build()) {
            online.download(REPO, "main", MODEL);
        }
        hub.clearRequests();
        try (HubClient offline = client(hub, cache).offline(true).build()) {
            Path model = offline.download(REPO, "main", MODEL);

            assertThat(model).hasBinaryContent(MODEL_BYTES);
            assertThat(offline.info(REPO, "main", MODEL).sha256()).contains(LoopbackHub.sha256(MODEL_BYTES));
            assertThat(hub.requests()).isEmpty();
        }
    }

    @Test
    void download_offlineMiss_namesRepoRevisionAndFile() {
        try (HubClient offline = client(hub, cache).offline(true).build()) {
            assertThatThrownBy(() -> offline.download(REPO, "v2", MODEL))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason())
                            .isEqualTo(HubException.Reason.NOT_IN_CACHE))
                    .hasMessageContaining(REPO).hasMessageContaining("revision v2").hasMessageContaining(MODEL)
                    .hasMessageContaining("HF_HUB_OFFLINE").hasMessageContaining(cache.toString());
            assertThat(hub.requests()).isEmpty();
        }
    }

    @Test
    void builder_environment_readsHfVariables() {
        Path hfHome = cache.resolve("home");
        HubClient fromHome = HubClient.builder().environment(Map.of("HF_HOME", hfHome.toString())).build();
        assertThat(fromHome.cacheDir()).isEqualTo(hfHome.resolve("hub"));
        assertThat(fromHome.endpoint()).isEqualTo(HubClient.DEFAULT_ENDPOINT);
        assertThat(fromHome.offline()).isFalse();
        assertThat(fromHome.hasToken()).isFalse();

        try (HubClient offline = HubClient.builder().environment(Map.of("HF_HOME", hfHome.toString(),
                "HF_HUB_CACHE", cache.toString(), "HF_HUB_OFFLINE", "1", "HF_ENDPOINT", hub.endpoint().toString(),
                "HF_TOKEN", "hf_fromTheEnvironment")).build()) {
            assertThat(offline.cacheDir()).isEqualTo(cache);
            assertThat(offline.offline()).isTrue();
            assertThat(offline.endpoint()).isEqualTo(hub.endpoint());
            assertThat(offline.hasToken()).isTrue();
        }
    }

    @Test
    void builder_tokenFile_readWhenNoVariable() throws IOException {
        Path hfHome = Files.createDirectories(cache.resolve("home"));
        Files.writeString(hfHome.resolve("token"), "hf_fromTheLoginFile\n");
        try (HubClient client = HubClient.builder().environment(Map.of("HF_HOME", hfHome.toString())).build()) {
            assertThat(client.hasToken()).isTrue();
        }
    }

    @Test
    void builder_settingTwice_throws() {
        HubClient.Builder b = HubClient.builder().retries(1);
        assertThatThrownBy(() -> b.retries(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retries");
        assertThatThrownBy(() -> HubClient.builder().endpoint(java.net.URI.create("ftp://example.org")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void download_badNames_rejectedBeforeAnyRequest() {
        try (HubClient client = client(hub, cache).build()) {
            assertThatThrownBy(() -> client.download(REPO, "main", "../../etc/passwd"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.download("org/../x", "main", CONFIG))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.download(REPO, "..", CONFIG))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(hub.requests()).isEmpty();
        }
    }

    @Test
    void snapshot_files_allFromOneCommit() {
        try (HubClient client = client(hub, cache).build()) {
            Path dir = client.snapshot(REPO, "main", List.of(CONFIG, MODEL));

            assertThat(dir).isEqualTo(cache.resolve("models--org--model/snapshots/" + hub.repo(REPO).commit()));
            assertThat(dir.resolve(CONFIG)).hasBinaryContent(CONFIG_BYTES);
            assertThat(dir.resolve(MODEL)).hasBinaryContent(MODEL_BYTES);
        }
    }

    @Test
    void info_online_givesCommitEtagAndSize() {
        try (HubClient client = client(hub, cache).build()) {
            HubFileInfo model = client.info(REPO, "main", MODEL);
            HubFileInfo config = client.info(REPO, "main", CONFIG);

            assertThat(model).isEqualTo(new HubFileInfo(REPO, "main", MODEL, hub.repo(REPO).commit(),
                    LoopbackHub.sha256(MODEL_BYTES), MODEL_BYTES.length, true));
            assertThat(config.lfs()).isFalse();
            assertThat(config.etag()).isEqualTo(LoopbackHub.gitBlobId(CONFIG_BYTES));
            assertThat(config.size()).isEqualTo(CONFIG_BYTES.length);
            assertThat(hub.count("GET")).isZero();
            assertThat(client.cached(REPO, "main", MODEL)).isEmpty();
        }
    }

    @Test
    void verify_changedBlob_isCorrupt() throws IOException {
        try (HubClient client = client(hub, cache).build()) {
            Path model = client.download(REPO, "main", MODEL);
            client.download(REPO, "main", CONFIG);
            assertThat(client.verify(REPO, "main", MODEL).size()).isEqualTo(MODEL_BYTES.length);
            assertThat(client.verify(REPO, "main", CONFIG).etag()).isEqualTo(LoopbackHub.gitBlobId(CONFIG_BYTES));

            byte[] changed = MODEL_BYTES.clone();
            changed[10] ^= 1;
            Files.write(model.toRealPath(), changed);

            assertThatThrownBy(() -> client.verify(REPO, "main", MODEL))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason())
                            .isEqualTo(HubException.Reason.CORRUPT))
                    .hasMessageContaining(MODEL).hasMessageContaining("Delete");
        }
    }

    @Test
    void download_renamedRepo_followsRelativeRedirect() {
        hub.alias("old/model", REPO);
        hub.resolveCacheRedirects(true);
        try (HubClient client = client(hub, cache).build()) {
            Path config = client.download("old/model", "main", CONFIG);

            assertThat(config).hasBinaryContent(CONFIG_BYTES);
            assertThat(config.toString()).contains("models--old--model");
            assertThat(hub.requests()).anyMatch(r -> r.path().startsWith("/api/resolve-cache/models/org/model/"));
        }
    }

    @Test
    void progress_largeFile_reportsStartAndEnd() {
        List<HubProgress.Transfer> seen = new ArrayList<>();
        try (HubClient client = client(hub, cache).progress(seen::add).build()) {
            client.download(REPO, "main", MODEL);
        }
        assertThat(seen).isNotEmpty();
        assertThat(seen.get(0).bytesDone()).isZero();
        HubProgress.Transfer last = seen.get(seen.size() - 1);
        assertThat(last.done()).isTrue();
        assertThat(last.bytesDone()).isEqualTo(MODEL_BYTES.length);
        assertThat(last.bytesTotal()).isEqualTo(MODEL_BYTES.length);
        assertThat(HubProgress.describe(new HubProgress.Transfer(REPO, MODEL, 2_000_000, 8_000_000, 1_000_000,
                false))).isEqualTo("Downloading org/model onnx/model.onnx: 2.0 MB of 8.0 MB (25%), 1.0 MB/s, 6 s left");
    }
}
