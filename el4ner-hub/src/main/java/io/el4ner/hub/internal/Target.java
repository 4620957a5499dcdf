package io.el4ner.hub.internal;

import java.net.URI;

/**
 * One file asked for, and its resolve URL.
 *
 * @param repo the repository
 * @param revision the branch, tag or commit asked for
 * @param file the path of the file in the repository
 * @param url the file's resolve URL at the Hub
 */
record Target(String repo, String revision, String file, URI url) {
    /** @return e.g. {@code config.json of org/model at revision main}, for messages */
    String what() {
        return file + " of " + repo + " at revision " + revision;
    }
}
