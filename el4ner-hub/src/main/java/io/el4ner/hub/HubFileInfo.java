package io.el4ner.hub;

import java.util.Objects;
import java.util.Optional;

/**
 * What the Hub (or, offline, the cache) says about one file of a repository at a revision.
 *
 * @param repo the repository id, {@code org/name}
 * @param revision the revision asked for: a branch, a tag or a commit hash
 * @param file the file's path in the repository
 * @param commit the commit hash the revision resolved to
 * @param etag the blob's id: the SHA-256 of the content for files stored with Git LFS, the Git blob id otherwise;
 *             empty when unknown (offline, from a cache whose snapshot holds a copy rather than a link)
 * @param size the file's size in bytes
 * @param lfs whether the file is stored with Git LFS (its etag is then the SHA-256 that a download is checked
 *            against)
 * @since 0.1
 */
public record HubFileInfo(String repo, String revision, String file, String commit, String etag, long size,
                          boolean lfs) {
    /** Validates the components. */
    public HubFileInfo {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(etag, "etag");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
    }

    /** @return the SHA-256 (lower-case hex) the content must have, for a file stored with Git LFS */
    public Optional<String> sha256() {
        return lfs ? Optional.of(etag) : Optional.empty();
    }
}
