package io.el4ner.hub.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.hub.HubProgress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderSettingsTest {
    @Test
    void toString_showsWhetherATokenIsSetNeverTheToken(@TempDir Path dir) {
        Downloader.Settings withToken = new Downloader.Settings(URI.create("http://127.0.0.1:1"), "hf_secretValue42",
                new CacheLayout(dir, true), false, 3, Duration.ofSeconds(1), Duration.ofSeconds(30), HubProgress.NONE,
                OutputOpener.FILES);
        assertThat(withToken.toString()).doesNotContain("hf_secretValue42").contains("token=set")
                .contains("http://127.0.0.1:1");
        Downloader.Settings without = new Downloader.Settings(URI.create("http://127.0.0.1:1"), null,
                new CacheLayout(dir, true), true, 0, Duration.ZERO, Duration.ofSeconds(1), HubProgress.NONE,
                OutputOpener.FILES);
        assertThat(without.toString()).contains("token=none");
    }
}
