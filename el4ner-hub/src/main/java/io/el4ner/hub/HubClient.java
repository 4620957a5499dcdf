package io.el4ner.hub;

import io.el4ner.api.Redaction;
import io.el4ner.hub.internal.CacheLayout;
import io.el4ner.hub.internal.Downloader;
import io.el4ner.hub.internal.OutputOpener;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Downloads files of Hugging Face Hub repositories into the standard Hugging Face cache, the one Python's {@code
 * huggingface_hub} uses, so that each reuses what the other downloaded:
 * <pre>
 * $HF_HUB_CACHE/models--org--name/blobs/&lt;etag&gt;
 *                                /snapshots/&lt;commit&gt;/&lt;path&gt;  (a relative link to ../../blobs/&lt;etag&gt;)
 *                                /refs/&lt;revision&gt;              (the commit it resolved to)
 * </pre>
 *
 * <p>A download asks the Hub for the file's metadata ({@code HEAD {endpoint}/{repo}/resolve/{revision}/{file}}:
 * the commit, the etag and the size; redirects within the endpoint are followed, one to another host, a CDN, ends
 * there and is where the content is fetched from), and fetches the content only if the cache lacks it: into
 * {@code blobs/<etag>.incomplete}, resumed with {@code Range} after an interruption, checked against its SHA-256
 * for Git LFS files (a mismatch is fetched again once), then moved into place and linked from the snapshot. Two
 * threads or processes that want one blob take turns on a lock file ({@code .locks/models--org--name/<etag>.lock},
 * as {@code huggingface_hub} does): one downloads, the other then finds it. Failures of the network and 5xx answers
 * are retried with backoff; every wait is bounded by {@linkplain Builder#timeout(Duration) the timeout}; a body is
 * never read past its announced size. When the Hub cannot be reached, a file already in the cache for that
 * revision is used.
 *
 * <p>{@linkplain Builder#offline(boolean) Offline} ({@code HF_HUB_OFFLINE=1}) only the cache is read: a revision
 * resolves through {@code refs/<revision>}, or is a commit hash.
 *
 * <p>The token goes to the endpoint only (as {@code Authorization: Bearer}), never to a redirect target on another
 * host, and is in no log line, exception message or {@link #toString()}.
 *
 * <p>Thread-safe and immutable. {@link #close()} releases the token's {@linkplain Redaction registration}.
 *
 * @since 0.1
 */
public final class HubClient implements AutoCloseable {
    /** The public Hub. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    private final URI endpoint;
    private final Path cacheDir;
    private final boolean offline;
    private final boolean hasToken;
    private final Downloader downloader;
    private final Redaction.Registration tokenRegistration;

    private HubClient(Builder b, Map<String, String> env) {
        this.endpoint = b.endpoint != null ? b.endpoint : env.containsKey("HF_ENDPOINT")
                ? endpoint(env.get("HF_ENDPOINT"), "HF_ENDPOINT") : DEFAULT_ENDPOINT;
        Path hfHome = env.containsKey("HF_HOME") ? Path.of(env.get("HF_HOME"))
                : Path.of(env.getOrDefault("XDG_CACHE_HOME", Path.of(System.getProperty("user.home"), ".cache")
                .toString()), "huggingface");
        this.cacheDir = b.cacheDir != null ? b.cacheDir
                : env.containsKey("HF_HUB_CACHE") ? Path.of(env.get("HF_HUB_CACHE"))
                : env.containsKey("HUGGINGFACE_HUB_CACHE") ? Path.of(env.get("HUGGINGFACE_HUB_CACHE"))
                : hfHome.resolve("hub");
        this.offline = b.offline != null ? b.offline : truthy(env.get("HF_HUB_OFFLINE"));
        String token = b.token != null ? b.token : tokenFrom(env, hfHome);
        token = token == null || token.isBlank() ? null : token.strip();
        this.hasToken = token != null;
        this.tokenRegistration = Redaction.register(token);
        this.downloader = new Downloader(new Downloader.Settings(endpoint, token, new CacheLayout(cacheDir, true),
                offline, b.retries != null ? b.retries : 3, b.backoff != null ? b.backoff : Duration.ofSeconds(1),
                b.timeout != null ? b.timeout : Duration.ofSeconds(30),
                b.progress != null ? b.progress : HubProgress.NONE,
                b.opener != null ? b.opener : OutputOpener.FILES),
                HttpClient.newBuilder().connectTimeout(b.timeout != null ? b.timeout : Duration.ofSeconds(30))
                        .followRedirects(HttpClient.Redirect.NEVER).build());
    }

    /** @return a builder; every setting not set comes from the environment ({@link Builder#environment(Map)}) */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes sure a file is in the cache and returns its entry in the snapshot of the commit the revision resolves
     * to. With a commit hash as revision and the file in the cache, nothing is asked of the Hub.
     *
     * @param repo the repository id, {@code org/name}
     * @param revision a branch, a tag or a commit hash ({@code main} is the Hub's default branch)
     * @param file the file's path in the repository, e.g. {@code onnx/model_q4.onnx}
     * @return {@code <cache>/models--org--name/snapshots/<commit>/<file>}
     * @throws HubException if it cannot be had; {@link HubException#reason()} says why
     * @throws IllegalArgumentException if the repository id, revision or path is malformed
     */
    public Path download(String repo, String revision, String file) {
        return downloader.download(repo, revision, file);
    }

    /**
     * Downloads several files of one revision: the first file's commit pins the others, so they all come from one
     * commit even if a branch moves meanwhile.
     *
     * @param repo the repository id
     * @param revision a branch, a tag or a commit hash
     * @param files the files' paths in the repository; at least one
     * @return the snapshot directory, {@code <cache>/models--org--name/snapshots/<commit>}
     * @throws HubException if one cannot be had (those before it stay in the cache)
     * @throws IllegalArgumentException if {@code files} is empty or a name is malformed
     */
    public Path snapshot(String repo, String revision, List<String> files) {
        return downloader.snapshot(repo, revision, files);
    }

    /**
     * What the Hub says about a file (one {@code HEAD}, no download); offline, what the cache says.
     *
     * @param repo the repository id
     * @param revision a branch, a tag or a commit hash
     * @param file the file's path in the repository
     * @return the commit, etag and size
     * @throws HubException if the Hub does not have it or cannot be reached (offline: if the cache lacks it)
     */
    public HubFileInfo info(String repo, String revision, String file) {
        return downloader.info(repo, revision, file);
    }

    /**
     * Looks in the cache only, whatever the offline setting.
     *
     * @param repo the repository id
     * @param revision a branch, a tag or a commit hash
     * @param file the file's path in the repository
     * @return the file's snapshot entry, if the cache has it for that revision
     */
    public Optional<Path> cached(String repo, String revision, String file) {
        return downloader.cached(repo, revision, file);
    }

    /**
     * Checks a cached file against its etag without the network: the SHA-256 of a Git LFS file, the Git blob id of
     * another. A snapshot entry that is a copy rather than a link has no etag to check against and passes.
     *
     * @param repo the repository id
     * @param revision a branch, a tag or a commit hash
     * @param file the file's path in the repository
     * @return what the cache says about the file
     * @throws HubException {@link HubException.Reason#CORRUPT} if the content does not match,
     *                      {@link HubException.Reason#NOT_IN_CACHE} if the cache lacks it
     */
    public HubFileInfo verify(String repo, String revision, String file) {
        return downloader.verify(repo, revision, file);
    }

    /** @return the Hub this client asks */
    public URI endpoint() {
        return endpoint;
    }

    /** @return the hub cache directory ({@code HF_HUB_CACHE}) */
    public Path cacheDir() {
        return cacheDir;
    }

    /** @return whether only the cache is used */
    public boolean offline() {
        return offline;
    }

    /** @return whether a token is sent to the endpoint (the token itself is never shown) */
    public boolean hasToken() {
        return hasToken;
    }

    /** Forgets the token's redaction registration; idempotent. The client keeps working. */
    @Override
    public void close() {
        tokenRegistration.close();
    }

    /** @return the endpoint, the cache directory, whether offline and whether a token is set; never the token */
    @Override
    public String toString() {
        return "HubClient[endpoint=" + endpoint + ", cacheDir=" + cacheDir + ", offline=" + offline + ", token="
                + (hasToken ? "set" : "none") + "]";
    }

    private static final Set<String> TRUE = Set.of("1", "on", "yes", "true");

    private static boolean truthy(String v) {
        return v != null && TRUE.contains(v.strip().toLowerCase(Locale.ROOT));
    }

    private static URI endpoint(String value, String what) {
        try {
            URI u = URI.create(value.strip());
            if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            if (u.getRawUserInfo() != null || u.getRawQuery() != null) {
                throw new IllegalArgumentException("credentials and queries do not belong in it");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " must be the Hub's URL, like " + DEFAULT_ENDPOINT + ": "
                    + e.getMessage());
        }
    }

    /** HF_TOKEN, the legacy HUGGING_FACE_HUB_TOKEN, else the file `huggingface-cli login` writes. */
    private static String tokenFrom(Map<String, String> env, Path hfHome) {
        for (String name : List.of("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        Path file = env.containsKey("HF_TOKEN_PATH") ? Path.of(env.get("HF_TOKEN_PATH")) : hfHome.resolve("token");
        try {
            if (Files.isRegularFile(file) && Files.size(file) < 4096) {
                return Files.readString(file, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new HubException(HubException.Reason.STORAGE, "Could not read the token file " + file + ": "
                    + e.getMessage() + ". Fix its permissions, or set HF_TOKEN.", e);
        }
        return null;
    }

    /**
     * Builds a {@link HubClient}. What is not set comes from the environment: {@code HF_ENDPOINT} (default {@code
     * https://huggingface.co}), {@code HF_TOKEN} (else {@code $HF_HOME/token}, where {@code huggingface-cli login}
     * keeps it), {@code HF_HUB_CACHE} (default {@code $HF_HOME/hub}; {@code HF_HOME} defaults to
     * {@code ~/.cache/huggingface}), {@code HF_HUB_OFFLINE} ({@code 1}, {@code true}, {@code yes} or {@code on}).
     * Each setting can be set once; a second call throws {@link IllegalStateException}.
     */
    public static final class Builder {
        private URI endpoint;
        private String token;
        private Path cacheDir;
        private Boolean offline;
        private Integer retries;
        private Duration backoff;
        private Duration timeout;
        private HubProgress progress;
        private Map<String, String> environment;
        private OutputOpener opener;

        private Builder() {
        }

        private static void once(Object current, String name) {
            if (current != null) {
                throw new IllegalStateException(name + " was already set");
            }
        }

        /**
         * @param endpoint the Hub or a mirror; default {@code HF_ENDPOINT}, else {@link #DEFAULT_ENDPOINT}
         * @return this builder
         * @throws IllegalArgumentException if it is not an http(s) URL, or holds credentials or a query
         */
        public Builder endpoint(URI endpoint) {
            once(this.endpoint, "endpoint");
            this.endpoint = HubClient.endpoint(Objects.requireNonNull(endpoint, "endpoint").toString(), "endpoint");
            return this;
        }

        /**
         * @param token the Hub token sent as {@code Authorization: Bearer} to the endpoint; default {@code HF_TOKEN}
         * @return this builder
         */
        public Builder token(String token) {
            once(this.token, "token");
            this.token = Objects.requireNonNull(token, "token");
            return this;
        }

        /**
         * @param cacheDir the hub cache directory; default {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}
         * @return this builder
         */
        public Builder cacheDir(Path cacheDir) {
            once(this.cacheDir, "cacheDir");
            this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
            return this;
        }

        /**
         * @param offline whether to use the cache only; default {@code HF_HUB_OFFLINE}
         * @return this builder
         */
        public Builder offline(boolean offline) {
            once(this.offline, "offline");
            this.offline = offline;
            return this;
        }

        /**
         * @param retries how many times a failed exchange (no connection, a timeout, an ended body, a 5xx or 429)
         *                is tried again; default 3
         * @return this builder
         * @throws IllegalArgumentException if negative or over 20
         */
        public Builder retries(int retries) {
            once(this.retries, "retries");
            if (retries < 0 || retries > 20) {
                throw new IllegalArgumentException("retries must be between 0 and 20, got " + retries);
            }
            this.retries = retries;
            return this;
        }

        /**
         * @param backoff the wait before the first retry, doubled for each next one (up to 30 s), with jitter;
         *                default 1 s
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder backoff(Duration backoff) {
            once(this.backoff, "backoff");
            if (Objects.requireNonNull(backoff, "backoff").isNegative()) {
                throw new IllegalArgumentException("backoff must be >= 0, got " + backoff);
            }
            this.backoff = backoff;
            return this;
        }

        /**
         * @param timeout the connect timeout, the longest wait for an answer's headers and the longest pause within
         *                a body; default 30 s
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeout(Duration timeout) {
            once(this.timeout, "timeout");
            if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * @param progress told how each download goes; default {@link HubProgress#NONE} (a command-line tool would
         *                 pass {@code HubProgress.printingTo(System.err, 5_000_000)})
         * @return this builder
         */
        public Builder progress(HubProgress progress) {
            once(this.progress, "progress");
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /**
         * @param environment where the {@code HF_*} variables are read; default {@link System#getenv()}
         * @return this builder
         */
        public Builder environment(Map<String, String> environment) {
            once(this.environment, "environment");
            this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
            return this;
        }

        /** For tests: how the partial files are opened (one that fails as a full disk does). */
        Builder opener(OutputOpener opener) {
            once(this.opener, "opener");
            this.opener = Objects.requireNonNull(opener, "opener");
            return this;
        }

        /**
         * @return a client; the builder is unchanged
         * @throws IllegalArgumentException if {@code HF_ENDPOINT} is not an http(s) URL
         * @throws HubException if the token file exists but cannot be read
         */
        public HubClient build() {
            return new HubClient(this, environment != null ? environment : System.getenv());
        }
    }
}
