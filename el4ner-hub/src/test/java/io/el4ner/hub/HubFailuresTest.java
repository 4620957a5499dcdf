package io.el4ner.hub;

import io.el4ner.hub.HubException.Reason;
import io.el4ner.hub.testing.LoopbackHub;
import io.el4ner.hub.testing.LoopbackHub.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static io.el4ner.hub.Fixtures.CONFIG;
import static io.el4ner.hub.Fixtures.CONFIG_BYTES;
import static io.el4ner.hub.Fixtures.MODEL;
import static io.el4ner.hub.Fixtures.MODEL_BYTES;
import static io.el4ner.hub.Fixtures.REPO;
import static io.el4ner.hub.Fixtures.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HubFailuresTest {
    @TempDir
    Path cache;

    private final LoopbackHub hub = Fixtures.hub();

    @AfterEach
    void close() {
        hub.close();
    }

    private Path blob() {
        return cache.resolve("models--org--model/blobs/" + LoopbackHub.sha256(MODEL_BYTES));
    }

    private Path incomplete() {
        return cache.resolve("models--org--model/blobs/" + LoopbackHub.sha256(MODEL_BYTES) + ".incomplete");
    }

    private List<LoopbackHub.Request> cdnGets() {
        return hub.requests().stream().filter(r -> r.server().equals("cdn") && r.method().equals("GET")).toList();
    }

    private Path snapshots() {
        return cache.resolve("models--org--model/snapshots");
    }

    private static long filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !Files.isDirectory(p)).count();
        }
    }

    @Test
    void download_partialIncomplete_resumesWithRange() throws IOException {
        Files.createDirectories(incomplete().getParent());
        Files.write(incomplete(), java.util.Arrays.copyOf(MODEL_BYTES, 100_000));
        try (HubClient client = client(hub, cache).build()) {
            Path model = client.download(REPO, "main", MODEL);

            assertThat(model).hasBinaryContent(MODEL_BYTES);
            assertThat(cdnGets()).singleElement().extracting(LoopbackHub.Request::range)
                    .isEqualTo("bytes=100000-");
            assertThat(incomplete()).doesNotExist();
        }
    }

    @Test
    void download_serverIgnoresRange_rewritesTheWholeFile() throws IOException {
        Files.createDirectories(incomplete().getParent());
        Files.write(incomplete(), new byte[100_000]); // not the real start: a resume would be corrupt
        hub.fault(MODEL, Fault.IGNORE_RANGE);
        try (HubClient client = client(hub, cache).build()) {
            assertThat(client.download(REPO, "main", MODEL)).hasBinaryContent(MODEL_BYTES);
            assertThat(cdnGets()).singleElement().extracting(LoopbackHub.Request::range)
                    .isEqualTo("bytes=100000-");
        }
    }

    @Test
    void download_cdnRefuses_notBlamedOnTheToken() {
        hub.fault(MODEL, Fault.STATUS_403);
        try (HubClient client = client(hub, cache).build()) {
            assertThatThrownBy(() -> client.download(REPO, "main", MODEL))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL))
                    .hasMessageContaining("HTTP 403 from " + hub.cdn()).hasMessageNotContaining("HF_TOKEN");
        }
    }

    @Test
    void download_truncatedBody_resumesFromWhatArrived() {
        hub.fault(MODEL, Fault.TRUNCATE);
        try (HubClient client = client(hub, cache).retries(2).build()) {
            Path model = client.download(REPO, "main", MODEL);

            assertThat(model).hasBinaryContent(MODEL_BYTES);
            List<LoopbackHub.Request> gets = cdnGets();
            assertThat(gets).hasSize(2);
            assertThat(gets.get(0).range()).isNull();
            assertThat(gets.get(1).range()).isEqualTo("bytes=" + MODEL_BYTES.length / 2 + "-");
        }
    }

    @Test
    void download_stalledBody_timesOutAndResumes() {
        hub.fault(MODEL, Fault.STALL);
        try (HubClient client = client(hub, cache).retries(1).timeout(Duration.ofMillis(300)).build()) {
            Path model = client.download(REPO, "main", MODEL);

            assertThat(model).hasBinaryContent(MODEL_BYTES);
            assertThat(cdnGets()).hasSize(2);
            assertThat(cdnGets().get(1).range()).isNotNull();
        }
    }

    @Test
    void download_wrongChecksumOnce_fetchedAgain() {
        hub.fault(MODEL, Fault.CORRUPT);
        try (HubClient client = client(hub, cache).build()) {
            Path model = client.download(REPO, "main", MODEL);

            assertThat(model).hasBinaryContent(MODEL_BYTES);
            assertThat(cdnGets()).hasSize(2);
            assertThat(cdnGets().get(1).range()).isNull();
        }
    }

    @Test
    void download_wrongChecksumTwice_failsAndKeepsNothing() throws IOException {
        hub.fault(MODEL, Fault.CORRUPT);
        hub.fault(MODEL, Fault.CORRUPT);
        try (HubClient client = client(hub, cache).build()) {
            assertThatThrownBy(() -> client.download(REPO, "main", MODEL))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT))
                    .hasMessageContaining("SHA-256").hasMessageContaining(MODEL)
                    .hasMessageContaining(LoopbackHub.sha256(MODEL_BYTES));
            assertThat(blob()).doesNotExist();
            assertThat(incomplete()).doesNotExist();
            assertThat(filesUnder(snapshots())).isZero();
        }
    }

    @Test
    void download_moreBytesThanAnnounced_isCutOff() throws IOException {
        hub.fault(MODEL, Fault.OVERSIZE);
        try (HubClient client = client(hub, cache).build()) {
            assertThatThrownBy(() -> client.download(REPO, "main", MODEL))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL))
                    .hasMessageContaining("more than the " + MODEL_BYTES.length + " bytes");
            assertThat(blob()).doesNotExist();
            assertThat(incomplete()).doesNotExist();
            assertThat(filesUnder(snapshots())).isZero();
        }
    }

    @Test
    void download_500ThenSuccess_retries() {
        hub.failNextRequests(1);
        hub.fault(MODEL, Fault.STATUS_500);
        try (HubClient client = client(hub, cache).retries(1).build()) {
            assertThat(client.download(REPO, "main", MODEL)).hasBinaryContent(MODEL_BYTES);
            assertThat(hub.count("HEAD")).isEqualTo(2);
            assertThat(cdnGets()).hasSize(2);
        }
    }

    @Test
    void download_retriesExhausted_namesUrlAndCache() {
        hub.failNextRequests(3);
        try (HubClient client = client(hub, cache).retries(2).build()) {
            assertThatThrownBy(() -> client.download(REPO, "main", CONFIG))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.UNREACHABLE))
                    .hasMessageContaining(hub.endpoint() + "/org/model/resolve/main/config.json")
                    .hasMessageContaining(cache.toString()).hasMessageContaining("3 tries")
                    .hasMessageContaining("HTTP 500");
            assertThat(hub.count("HEAD")).isEqualTo(3);
        }
    }

    @Test
    void download_noServer_namesUrlAndCache() {
        URI endpoint = hub.endpoint();
        hub.close();
        try (HubClient client = HubClient.builder().endpoint(endpoint).cacheDir(cache)
                .environment(java.util.Map.of("HF_HOME", cache.toString())).retries(1)
                .backoff(Duration.ofMillis(1)).timeout(Duration.ofSeconds(2)).build()) {
            assertThatThrownBy(() -> client.download(REPO, "main", CONFIG))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.UNREACHABLE))
                    .hasMessageContaining(endpoint + "/org/model/resolve/main/config.json")
                    .hasMessageContaining(cache.toString());
        }
    }

    @Test
    void download_noServerButCached_usesCache() {
        URI endpoint = hub.endpoint();
        try (HubClient client = client(hub, cache).build()) {
            client.download(REPO, "main", CONFIG);
        }
        hub.close();
        try (HubClient client = HubClient.builder().endpoint(endpoint).cacheDir(cache)
                .environment(java.util.Map.of("HF_HOME", cache.toString())).retries(0)
                .timeout(Duration.ofSeconds(2)).build()) {
            assertThat(client.download(REPO, "main", CONFIG)).hasBinaryContent(CONFIG_BYTES);
        }
    }

    @Test
    void download_missingRevision_saysNoRevisionInRepo() {
        try (HubClient client = client(hub, cache).build()) {
            assertThatThrownBy(() -> client.download(REPO, "v9", CONFIG))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.REVISION_NOT_FOUND))
                    .hasMessageContaining("No revision v9 in repo org/model");
            assertThatThrownBy(() -> client.download(REPO, "main", "nope.json"))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.FILE_NOT_FOUND))
                    .hasMessageContaining("No file nope.json in repo org/model at revision main");
            assertThatThrownBy(() -> client.download("org/none", "main", CONFIG))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.REPO_NOT_FOUND))
                    .hasMessageContaining("No repository org/none").hasMessageContaining("HF_TOKEN");
            assertThat(hub.count("GET")).isZero();
            assertThat(hub.count("HEAD")).isEqualTo(3); // 404s are not retried
        }
    }

    @Test
    void download_gatedWithoutToken_saysTokenNeeded() {
        hub.repo(REPO).gated("hf_gateKeeperToken");
        try (HubClient client = client(hub, cache).build()) {
            assertThatThrownBy(() -> client.download(REPO, "main", CONFIG))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason())
                            .isEqualTo(Reason.TOKEN_NEEDED))
                    .hasMessageContaining("gated").hasMessageContaining("HF_TOKEN");
        }
    }

    @Test
    void download_diskFull_keepsPartialFileForResume() throws IOException {
        int room = 120_000;
        try (HubClient full = client(hub, cache).opener((path, append) ->
                new DiskWithRoom(io.el4ner.hub.internal.OutputOpener.FILES.open(path, append), room)).build()) {
            assertThatThrownBy(() -> full.download(REPO, "main", MODEL))
                    .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.reason()).isEqualTo(Reason.STORAGE))
                    .hasMessageContaining("No space left on device").hasMessageContaining("kept");
        }
        assertThat(incomplete()).hasSize(room);
        assertThat(blob()).doesNotExist();
        assertThat(filesUnder(snapshots())).isZero();
        hub.clearRequests();

        try (HubClient client = client(hub, cache).build()) {
            assertThat(client.download(REPO, "main", MODEL)).hasBinaryContent(MODEL_BYTES);
            assertThat(cdnGets()).singleElement().extracting(LoopbackHub.Request::range)
                    .isEqualTo("bytes=" + room + "-");
        }
    }

    /** A disk with room for so many bytes: then every write fails as a full disk's does. */
    private static final class DiskWithRoom extends FilterOutputStream {
        private long room;

        DiskWithRoom(OutputStream out, long room) {
            super(out);
            this.room = room;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = (int) Math.min(len, room);
            out.write(b, off, n);
            room -= n;
            if (n < len) {
                throw new IOException("No space left on device");
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }
}
