package io.el4ner.hub.internal;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks the names that become paths in the cache (repository ids, revisions, file paths: from the caller; etags
 * and commit hashes: from the server, so untrusted) and builds the {@code resolve} URL.
 */
public final class Names {
    private static final Pattern REPO_PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SERVER_COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern ETAG = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private Names() {
    }

    /**
     * @param repo a repository id, {@code org/name} or a bare {@code name}
     * @return the id
     * @throws IllegalArgumentException if it is not one
     */
    public static String repo(String repo) {
        String[] parts = repo.split("/", -1);
        boolean ok = parts.length <= 2 && !repo.contains("--") && !repo.contains("..");
        for (String p : parts) {
            ok &= REPO_PART.matcher(p).matches();
        }
        if (!ok) {
            throw new IllegalArgumentException("not a Hugging Face repository id: \"" + printable(repo)
                    + "\" (expected org/name, letters, digits, '.', '_' and '-', no '--' or '..')");
        }
        return repo;
    }

    /**
     * @param revision a branch, tag or commit hash
     * @return the revision
     * @throws IllegalArgumentException if it is blank or cannot be a file name under {@code refs/}
     */
    public static String revision(String revision) {
        if (!safeRelativePath(revision)) {
            throw new IllegalArgumentException("not a revision: \"" + printable(revision)
                    + "\" (expected a branch, a tag or a commit hash)");
        }
        return revision;
    }

    /**
     * @param file a file's path in a repository
     * @return the path
     * @throws IllegalArgumentException if it is absolute, empty or climbs out ({@code ..})
     */
    public static String file(String file) {
        if (!safeRelativePath(file)) {
            throw new IllegalArgumentException("not a file path in a repository: \"" + printable(file)
                    + "\" (expected a relative path such as onnx/model.onnx)");
        }
        return file;
    }

    /** @return whether the revision is a full commit hash (used as is, without {@code refs/}) */
    public static boolean isCommit(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    /** @return the commit hash the server sent, if it is one */
    public static Optional<String> serverCommit(String value) {
        return value != null && SERVER_COMMIT.matcher(value).matches() ? Optional.of(value) : Optional.empty();
    }

    /**
     * @param raw an {@code ETag} or {@code X-Linked-Etag} header
     * @return the etag without {@code W/} and quotes, if what remains can be a file name
     */
    public static Optional<String> etag(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String v = raw.strip();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        return ETAG.matcher(v).matches() ? Optional.of(v) : Optional.empty();
    }

    /** @return whether an etag is a SHA-256 (a Git LFS file's) */
    public static boolean isSha256(String etag) {
        return SHA256.matcher(etag).matches();
    }

    /**
     * @param endpoint the Hub, e.g. {@code https://huggingface.co}
     * @return {@code {endpoint}/{repo}/resolve/{revision}/{file}}, the revision encoded whole (a {@code /} in it
     *         too) and the file by segment
     */
    public static URI resolveUrl(URI endpoint, String repo, String revision, String file) {
        String base = endpoint.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        StringBuilder b = new StringBuilder(base).append('/').append(repo).append("/resolve/")
                .append(encode(revision));
        for (String segment : file.split("/")) {
            b.append('/').append(encode(segment));
        }
        return URI.create(b.toString());
    }

    /** @return the authority a token may be sent to: scheme, host and port */
    public static String origin(URI uri) {
        int port = uri.getPort();
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (port < 0) {
            port = "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + ":" + port;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static boolean safeRelativePath(String p) {
        if (p == null || p.isBlank() || p.length() > 1024 || p.startsWith("/") || p.indexOf('\\') >= 0) {
            return false;
        }
        for (int i = 0; i < p.length(); i++) {
            if (Character.isISOControl(p.charAt(i))) {
                return false;
            }
        }
        for (String segment : p.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.indexOf(':') >= 0) {
                return false;
            }
        }
        return true;
    }

    /** A name as it may appear in a message: control characters escaped, bounded. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.length() < s.length() ? b + "…" : b.toString();
    }
}
