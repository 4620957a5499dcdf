package io.el4ner.hub.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CacheLayoutTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path root;

    @Test
    void link_withoutSymlinks_copiesTheBlob() throws IOException {
        CacheLayout cache = new CacheLayout(root, false);
        Path blob = cache.blob("org/m", "etag1");
        Files.createDirectories(blob.getParent());
        Files.writeString(blob, "content");

        Path entry = cache.link("org/m", COMMIT, "sub/file.txt", "etag1");

        assertThat(Files.isSymbolicLink(entry)).isFalse();
        assertThat(entry).hasContent("content");
        assertThat(cache.linkedEtag(entry)).isEmpty();
    }

    @Test
    void link_again_replacesAtomically() throws IOException {
        CacheLayout cache = new CacheLayout(root, true);
        for (String etag : new String[] {"old", "new"}) {
            Path blob = cache.blob("org/m", etag);
            Files.createDirectories(blob.getParent());
            Files.writeString(blob, etag);
        }
        cache.link("org/m", COMMIT, "f", "old");

        Path entry = cache.link("org/m", COMMIT, "f", "new");

        assertThat(entry).hasContent("new");
        assertThat(cache.linkedEtag(entry)).contains("new");
        try (var files = Files.list(entry.getParent())) {
            assertThat(files).containsExactly(entry); // no temporary file left
        }
    }

    @Test
    void writeRef_thenCommitOf_roundTrips() throws IOException {
        CacheLayout cache = new CacheLayout(root, true);
        cache.writeRef("org/m", "refs/pr/1", COMMIT);

        assertThat(cache.commitOf("org/m", "refs/pr/1")).contains(COMMIT);
        assertThat(root.resolve("models--org--m/refs/refs/pr/1")).hasContent(COMMIT);
        assertThat(cache.commitOf("org/m", COMMIT)).contains(COMMIT);
        assertThat(cache.commitOf("org/m", "main")).isEmpty();
    }
}
