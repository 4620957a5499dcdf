package io.el4ner.hub.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The digest of a file, to check a blob against its etag: SHA-256 for LFS files, a Git blob id for the others. */
final class Digests {
    private Digests() {
    }

    /**
     * @param file the file
     * @param algorithm e.g. {@code SHA-256}
     * @param prefix bytes hashed before the content (a Git blob header), or null
     * @return the digest in lower-case hex
     * @throws IOException if the file cannot be read
     */
    static String of(Path file, String algorithm, byte[] prefix) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every Java platform", e);
        }
        if (prefix != null) {
            md.update(prefix);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
