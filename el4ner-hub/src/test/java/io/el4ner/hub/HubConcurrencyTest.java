package io.el4ner.hub;

import io.el4ner.hub.testing.LoopbackHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.el4ner.hub.Fixtures.MODEL;
import static io.el4ner.hub.Fixtures.MODEL_BYTES;
import static io.el4ner.hub.Fixtures.REPO;
import static io.el4ner.hub.Fixtures.client;
import static org.assertj.core.api.Assertions.assertThat;

class HubConcurrencyTest {
    @TempDir
    Path cache;

    private final LoopbackHub hub = Fixtures.hub();

    @AfterEach
    void close() {
        hub.close();
    }

    private long cdnGets() {
        return hub.requests().stream().filter(r -> r.server().equals("cdn") && r.method().equals("GET")).count();
    }

    /** Waits (bounded) for something the other side does; fails the test if it never happens. */
    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void download_twoThreadsOneBlob_oneGet() throws Exception {
        hub.holdGets();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (HubClient a = client(hub, cache).build(); HubClient b = client(hub, cache).build()) {
            Future<Path> first = pool.submit(() -> a.download(REPO, "main", MODEL));
            Future<Path> second = pool.submit(() -> b.download(REPO, "main", MODEL));
            awaitTrue(() -> hub.count("HEAD") == 2 && cdnGets() == 1, "both asked and one downloads");
            hub.releaseGets();

            assertThat(first.get(30, TimeUnit.SECONDS)).hasBinaryContent(MODEL_BYTES);
            assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(first.get());
            assertThat(cdnGets()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void download_twoProcessesOneBlob_oneGet() throws Exception {
        hub.holdGets();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process other = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                DownloadMain.class.getName(), hub.endpoint().toString(), cache.toString(), REPO, "main", MODEL))
                .redirectErrorStream(true).start();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (HubClient client = client(hub, cache).build()) {
            awaitTrue(() -> cdnGets() == 1 || !other.isAlive(), "the other process downloads");
            assertThat(other.isAlive()).as("the other process is downloading").isTrue();
            Future<Path> mine = pool.submit(() -> client.download(REPO, "main", MODEL));
            awaitTrue(() -> hub.count("HEAD") == 2, "this process asked too");
            hub.releaseGets();

            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(other.exitValue()).as(output).isZero();
            Path path = mine.get(60, TimeUnit.SECONDS);
            assertThat(path).hasBinaryContent(MODEL_BYTES);
            assertThat(output.strip()).endsWith(path.toString());
            assertThat(cdnGets()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
            other.destroy();
        }
    }
}
