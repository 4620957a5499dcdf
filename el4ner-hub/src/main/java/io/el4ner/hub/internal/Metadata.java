package io.el4ner.hub.internal;

import java.net.URI;

/**
 * What the {@code HEAD} of a resolve URL said, and where to {@code GET} the content.
 *
 * @param commit the commit the revision resolved to
 * @param etag the blob's etag: its SHA-256 for an LFS file, its Git blob id otherwise
 * @param size the blob's size in bytes
 * @param lfs whether the etag is the SHA-256 of the content (checked after the download)
 * @param location where the content is (the Hub itself, or the CDN it redirected to)
 */
record Metadata(String commit, String etag, long size, boolean lfs, URI location) {
}
