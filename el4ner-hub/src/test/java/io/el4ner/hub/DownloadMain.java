package io.el4ner.hub;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** A second process for the lock test: {@code DownloadMain <endpoint> <cache> <repo> <revision> <file>}. */
final class DownloadMain {
    private DownloadMain() {
    }

    public static void main(String[] args) {
        try (HubClient client = HubClient.builder().endpoint(URI.create(args[0])).cacheDir(Path.of(args[1]))
                .environment(Map.of("HF_HOME", args[1])).retries(0).build()) {
            System.out.println(client.download(args[2], args[3], args[4]));
        }
    }
}
