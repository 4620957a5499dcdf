package io.el4ner.hub.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamesTest {
    @Test
    void etag_quotesAndWeakPrefix_stripped() {
        assertThat(Names.etag("W/\"abc123\"")).contains("abc123");
        assertThat(Names.etag("\"" + "a".repeat(64) + "\"")).contains("a".repeat(64));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"../../x\"", "\"a/b\"", "\"\"", "\".hidden\"", "\"a\\b\""})
    void etag_thatCannotBeAFileName_rejected(String raw) {
        assertThat(Names.etag(raw)).isEmpty();
    }

    @Test
    void serverCommit_onlyFullHashes() {
        assertThat(Names.serverCommit("0123456789abcdef0123456789abcdef01234567")).isPresent();
        assertThat(Names.serverCommit("../refs/main")).isEmpty();
        assertThat(Names.serverCommit("0123456")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "a/../../b", "a//b", "a\\b", "", " ", "a/./b", "c:x"})
    void file_escapingOrEmpty_rejected(String file) {
        assertThatThrownBy(() -> Names.file(file)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a--b/c", "a/b/c", "../x", "org/", "-org/x"})
    void repo_malformed_rejected(String repo) {
        assertThatThrownBy(() -> Names.repo(repo)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("org/name");
    }

    @Test
    void resolveUrl_revisionEncodedWhole_fileBySegment() {
        assertThat(Names.resolveUrl(URI.create("https://hub.example/"), "org/m", "refs/pr/1", "onnx/a b.onnx"))
                .hasToString("https://hub.example/org/m/resolve/refs%2Fpr%2F1/onnx/a%20b.onnx");
        assertThat(Names.repo("gpt2")).isEqualTo("gpt2");
    }

    @Test
    void origin_defaultPortsMadeExplicit() {
        assertThat(Names.origin(URI.create("https://Hub.example/x"))).isEqualTo("https://hub.example:443");
        assertThat(Names.origin(URI.create("http://127.0.0.1:8080/x")))
                .isNotEqualTo(Names.origin(URI.create("http://127.0.0.1:8081/x")));
    }
}
