package io.el4ner.hub.internal;

import io.el4ner.api.Redaction;
import io.el4ner.hub.HubException;
import io.el4ner.hub.HubException.Reason;
import io.el4ner.hub.HubFileInfo;
import io.el4ner.hub.HubProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What {@link io.el4ner.hub.HubClient} does: metadata from a {@code HEAD} of the resolve URL, the blob from a
 * {@code GET} (resumed with {@code Range}, redirects followed, bounded by the announced size and an idle timeout,
 * retried with backoff), checked against its SHA-256, under a lock, then linked into the snapshot.
 *
 * <p>Every server response is untrusted: names that become paths are checked ({@link Names}), bodies are cut at
 * the announced size, error bodies are not read, and header text quoted in a message is bounded and redacted. The
 * token goes only to the endpoint's own origin, never to a redirect target elsewhere, and is in no message.
 */
public final class Downloader {
    private static final Logger log = LoggerFactory.getLogger(Downloader.class);
    private static final int MAX_REDIRECTS = 10;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final String USER_AGENT = "el4ner-hub";
    /** One lock per blob in this JVM: a file lock is held by the process, so threads must queue before it. */
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    /**
     * How the downloader is set up.
     *
     * @param endpoint the Hub
     * @param token the token, or null
     * @param cache the cache
     * @param offline whether only the cache is used
     * @param retries how many times a failed exchange is tried again
     * @param backoff the delay before the first retry (doubled for each next one)
     * @param timeout the connect timeout, the wait for response headers and the longest pause within a body
     * @param progress told how downloads go
     * @param opener opens the partial files
     */
    public record Settings(URI endpoint, String token, CacheLayout cache, boolean offline, int retries,
                           Duration backoff, Duration timeout, HubProgress progress, OutputOpener opener) {
        /** Checks the components. */
        public Settings {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(cache, "cache");
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(progress, "progress");
            Objects.requireNonNull(opener, "opener");
        }

        /** The settings, the token shown only as set or not: a record's own {@code toString} would print it. */
        @Override
        public String toString() {
            return "Settings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set") + ", cache="
                    + cache + ", offline=" + offline + ", retries=" + retries + ", backoff=" + backoff + ", timeout="
                    + timeout + "]";
        }
    }

    /** One file asked for, and its resolve URL. */
    private record Target(String repo, String revision, String file, URI url) {
        String what() {
            return file + " of " + repo + " at revision " + revision;
        }
    }

    /** What the {@code HEAD} said, and where to {@code GET} the content. */
    private record Metadata(String commit, String etag, long size, boolean lfs, URI location) {
    }

    /** A failure worth another try: the network, a timeout, a 5xx or 429. */
    private static final class Retriable extends Exception {
        private static final long serialVersionUID = 1L;

        Retriable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws Retriable, IOException, InterruptedException;
    }

    private final Settings s;
    private final HttpClient http;
    private final String endpointOrigin;

    /**
     * @param settings the settings
     * @param http the client to use; it must not follow redirects (they are followed here, so that the token stays
     *             with the endpoint)
     */
    public Downloader(Settings settings, HttpClient http) {
        this.s = settings;
        this.http = http;
        this.endpointOrigin = Names.origin(settings.endpoint());
    }

    private Target target(String repo, String revision, String file) {
        Names.repo(Objects.requireNonNull(repo, "repo"));
        Names.revision(Objects.requireNonNull(revision, "revision"));
        Names.file(Objects.requireNonNull(file, "file"));
        return new Target(repo, revision, file, Names.resolveUrl(s.endpoint(), repo, revision, file));
    }

    // ---------------------------------------------------------------------------------------------- the API

    /** @see io.el4ner.hub.HubClient#download(String, String, String) */
    public Path download(String repo, String revision, String file) {
        Target t = target(repo, revision, file);
        if (s.offline()) {
            return cached(t).orElseThrow(() -> notInCache(t));
        }
        if (Names.isCommit(revision)) {
            Path entry = s.cache().snapshotFile(repo, revision, file);
            if (Files.exists(entry)) {
                return entry;
            }
        }
        Metadata m;
        try {
            m = head(t);
        } catch (HubException e) {
            if (e.reason() == Reason.UNREACHABLE) {
                Optional<Path> cached = cached(t);
                if (cached.isPresent()) {
                    log.warn("{}; using the copy in the cache from before, {}", e.getMessage(), cached.get());
                    return cached.get();
                }
            }
            throw e;
        }
        return store(t, m);
    }

    /** @see io.el4ner.hub.HubClient#snapshot(String, String, List) */
    public Path snapshot(String repo, String revision, List<String> files) {
        Objects.requireNonNull(files, "files");
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no files to download from " + repo);
        }
        Path first = download(repo, revision, files.get(0));
        // The commit of the first file pins the others: a branch that moves meanwhile does not mix two commits.
        String commit = commitOfEntry(repo, first);
        for (String f : files.subList(1, files.size())) {
            download(repo, commit, f);
        }
        return s.cache().snapshot(repo, commit);
    }

    /** @see io.el4ner.hub.HubClient#info(String, String, String) */
    public HubFileInfo info(String repo, String revision, String file) {
        Target t = target(repo, revision, file);
        if (s.offline()) {
            return cachedInfo(t).orElseThrow(() -> notInCache(t));
        }
        Metadata m = head(t);
        return new HubFileInfo(repo, revision, file, m.commit(), m.etag(), m.size(), m.lfs());
    }

    /** @see io.el4ner.hub.HubClient#cached(String, String, String) */
    public Optional<Path> cached(String repo, String revision, String file) {
        return cached(target(repo, revision, file));
    }

    /** @see io.el4ner.hub.HubClient#verify(String, String, String) */
    public HubFileInfo verify(String repo, String revision, String file) {
        Target t = target(repo, revision, file);
        HubFileInfo info = cachedInfo(t).orElseThrow(() -> notInCache(t));
        Path entry = s.cache().snapshotFile(repo, info.commit(), file);
        String etag = info.etag();
        String actual;
        String kind;
        try {
            if (Names.isSha256(etag)) {
                kind = "SHA-256";
                actual = digest(entry, "SHA-256", null);
            } else if (etag.matches("[0-9a-f]{40}")) {
                kind = "Git blob id";
                actual = digest(entry, "SHA-1", ("blob " + Files.size(entry) + "\0").getBytes(StandardCharsets.UTF_8));
            } else {
                return info; // a copy (no link) or an etag of another kind: nothing to check it against
            }
        } catch (IOException e) {
            throw storage("Could not read " + entry + " to verify " + t.what(), e);
        }
        if (!actual.equals(etag)) {
            throw new HubException(Reason.CORRUPT, "The cached " + t.what() + " is corrupt: its " + kind + " is "
                    + actual + ", expected " + etag + ". Delete " + s.cache().blob(repo, etag)
                    + " and download it again.");
        }
        return info;
    }

    // ---------------------------------------------------------------------------------------------- the cache

    private Optional<Path> cached(Target t) {
        try {
            Optional<String> commit = s.cache().commitOf(t.repo(), t.revision());
            if (commit.isEmpty()) {
                return Optional.empty();
            }
            Path entry = s.cache().snapshotFile(t.repo(), commit.get(), t.file());
            return Files.exists(entry) ? Optional.of(entry) : Optional.empty();
        } catch (IOException e) {
            throw storage("Could not read the cache " + s.cache().root() + " for " + t.what(), e);
        }
    }

    private Optional<HubFileInfo> cachedInfo(Target t) {
        return cached(t).map(entry -> {
            try {
                String commit = commitOfEntry(t.repo(), entry);
                String etag = s.cache().linkedEtag(entry).orElse("");
                return new HubFileInfo(t.repo(), t.revision(), t.file(), commit, etag, Files.size(entry),
                        Names.isSha256(etag));
            } catch (IOException e) {
                throw storage("Could not read " + entry, e);
            }
        });
    }

    private String commitOfEntry(String repo, Path entry) {
        Path snapshots = s.cache().repoDir(repo).resolve("snapshots");
        return snapshots.relativize(entry).getName(0).toString();
    }

    private HubException notInCache(Target t) {
        if (!s.offline()) {
            return new HubException(Reason.NOT_IN_CACHE, t.what() + " is not in the cache " + s.cache().root()
                    + "; download it first.");
        }
        return new HubException(Reason.NOT_IN_CACHE, "HF_HUB_OFFLINE is set and " + t.what()
                + " is not in the cache " + s.cache().root() + ". Download it once with a network (without "
                + "HF_HUB_OFFLINE), or point HF_HUB_CACHE at a cache that has it.");
    }

    private Path store(Target t, Metadata m) {
        CacheLayout cache = s.cache();
        try {
            cache.writeRef(t.repo(), t.revision(), m.commit());
            Path entry = cache.snapshotFile(t.repo(), m.commit(), t.file());
            if (Files.exists(entry) && Files.size(entry) == m.size()) {
                return entry;
            }
            Path blob = cache.blob(t.repo(), m.etag());
            if (!isComplete(blob, m)) {
                locked(t, cache.lock(t.repo(), m.etag()), () -> {
                    if (!isComplete(blob, m)) {
                        // A blob of the wrong size is not what the Hub has now: fetch it again.
                        Files.deleteIfExists(blob);
                        fetchBlob(t, m);
                    }
                    return null;
                });
            }
            return cache.link(t.repo(), m.commit(), t.file(), m.etag());
        } catch (IOException e) {
            throw storage("Could not write " + t.what() + " into the cache " + cache.root(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Reason.UNREACHABLE, "Interrupted while downloading " + t.what(), e);
        }
    }

    private static boolean isComplete(Path blob, Metadata m) throws IOException {
        return Files.isRegularFile(blob) && Files.size(blob) == m.size();
    }

    private <T> T locked(Target t, Path lockFile, Attempt<T> action) throws IOException, InterruptedException {
        Files.createDirectories(lockFile.getParent());
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            // The file lock belongs to the process: threads (of any client of this cache) queue on this first,
            // keyed by the real path so that two spellings of one cache directory share it.
            ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile.toRealPath(), k -> new ReentrantLock());
            if (!jvmLock.tryLock()) {
                log.info("Waiting for another thread downloading {}", t.what());
                jvmLock.lockInterruptibly();
            }
            try {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    log.info("Waiting for another process downloading {} (it holds {})", t.what(), lockFile);
                    lock = channel.lock();
                }
                try {
                    return action.run();
                } catch (Retriable e) {
                    throw new IllegalStateException(e); // the action handles its own retries
                } finally {
                    lock.release();
                }
            } finally {
                jvmLock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- HEAD

    private Metadata head(Target t) {
        return withRetries(t, t.url(), () -> headOnce(t));
    }

    private Metadata headOnce(Target t) throws Retriable, IOException, InterruptedException {
        URI url = t.url();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest request = request(url).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity").build();
            HttpResponse<Void> r = http.send(request, info -> new Discard());
            int status = r.statusCode();
            if (isRedirect(status)) {
                String location = location(t, r.headers(), url);
                URI next = redirectTarget(t, url, location);
                if (isRelative(location) || Names.origin(next).equals(endpointOrigin)) {
                    url = next; // a renamed repository, the Hub's resolve cache: still the Hub
                    continue;
                }
                return metadata(t, r.headers(), next); // a CDN: its URL is where to GET; the Hub gave the headers
            }
            if (status >= 200 && status < 300) {
                return metadata(t, r.headers(), url);
            }
            throw statusFailure(t, status, r.headers(), url);
        }
        throw new HubException(Reason.PROTOCOL, "More than " + MAX_REDIRECTS + " redirects from " + display(t.url())
                + " for " + t.what());
    }

    private Metadata metadata(Target t, HttpHeaders h, URI location) {
        String commit = Names.serverCommit(h.firstValue("x-repo-commit").orElse(null)).orElseThrow(() ->
                protocol(t, "no valid X-Repo-Commit header in the answer to HEAD " + display(t.url())
                        + "; is " + display(s.endpoint()) + " a Hugging Face Hub (HF_ENDPOINT)?"));
        Optional<String> linked = h.firstValue("x-linked-etag");
        String etag = Names.etag(linked.orElseGet(() -> h.firstValue("etag").orElse(null))).orElseThrow(() ->
                protocol(t, "no valid X-Linked-Etag or ETag header in the answer to HEAD " + display(t.url())));
        String sizeText = h.firstValue("x-linked-size").orElseGet(() -> h.firstValue("content-length").orElse(""));
        long size;
        try {
            size = Long.parseLong(sizeText.strip());
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 0) {
            throw protocol(t, "no valid X-Linked-Size or Content-Length header in the answer to HEAD "
                    + display(t.url()));
        }
        return new Metadata(commit, etag, size, linked.isPresent() && Names.isSha256(etag), location);
    }

    // ---------------------------------------------------------------------------------------------- GET

    private void fetchBlob(Target t, Metadata m) throws IOException {
        Path part = s.cache().incomplete(t.repo(), m.etag());
        Path blob = s.cache().blob(t.repo(), m.etag());
        Files.createDirectories(part.getParent());
        for (int round = 1; ; round++) {
            withRetries(t, m.location(), () -> {
                getOnce(t, m, part);
                return null;
            });
            if (m.lfs()) {
                String actual = digest(part, "SHA-256", null);
                if (!actual.equals(m.etag())) {
                    Files.delete(part);
                    if (round == 1) {
                        log.warn("The download of {} has SHA-256 {}, not {}; downloading it again", t.what(), actual,
                                m.etag());
                        continue;
                    }
                    throw new HubException(Reason.CORRUPT, "Downloaded " + t.what() + " twice and its SHA-256 was "
                            + actual + ", not " + m.etag() + " as the Hub says, both times; the server at "
                            + display(m.location()) + " sends wrong content. Nothing was kept in the cache "
                            + s.cache().root() + ".");
                }
            }
            CacheLayout.complete(part, blob);
            return;
        }
    }

    private void getOnce(Target t, Metadata m, Path part) throws Retriable, IOException, InterruptedException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > m.size()) {
            Files.delete(part);
            have = 0;
        }
        if (have == m.size()) {
            if (have == 0) {
                Files.write(part, new byte[0]);
            }
            return;
        }
        long started = System.nanoTime();
        long startedAt = have;
        report(t, m, have, startedAt, started, false);
        URI url = m.location();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = request(url).GET().header("Accept-Encoding", "identity");
            if (have > 0) {
                b.header("Range", "bytes=" + have + "-");
            }
            Exchange ex = new Exchange(part, have, m.size());
            CompletableFuture<HttpResponse<Void>> f = http.sendAsync(b.build(), ex);
            await(t, m, f, ex, startedAt, started);
            int status = ex.status;
            if (isRedirect(status)) {
                url = redirectTarget(t, url, location(t, ex.headers, url));
                continue;
            }
            if (ex.storageFailure != null) {
                throw storage("Could not open " + part + " to write " + t.what(), ex.storageFailure);
            }
            if (ex.rangeMismatch || status == 416) {
                Files.deleteIfExists(part);
                throw new Retriable("the server did not resume at byte " + have + " of " + display(url), null);
            }
            if (status == 200 || status == 206) {
                long now = Files.size(part);
                report(t, m, now, startedAt, started, now == m.size());
                if (now < m.size()) {
                    throw new Retriable("the body from " + display(url) + " ended after " + now + " of " + m.size()
                            + " bytes", null);
                }
                return;
            }
            throw statusFailure(t, status, ex.headers, url);
        }
        throw new HubException(Reason.PROTOCOL, "More than " + MAX_REDIRECTS + " redirects from "
                + display(m.location()) + " for " + t.what());
    }

    /** Chooses how to read a GET's body once its status and headers are known. */
    private final class Exchange implements HttpResponse.BodyHandler<Void> {
        private final Path part;
        private final long have;
        private final long size;
        volatile int status;
        volatile HttpHeaders headers;
        volatile BlobWriter writer;
        volatile IOException storageFailure;
        volatile boolean rangeMismatch;

        Exchange(Path part, long have, long size) {
            this.part = part;
            this.have = have;
            this.size = size;
        }

        @Override
        public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
            status = info.statusCode();
            headers = info.headers();
            if (status == 206 && !rangeStartsAt(info.headers(), have)) {
                rangeMismatch = true;
                return new Discard();
            }
            if (status != 200 && status != 206) {
                return new Discard();
            }
            // 200: the whole body (a server that ignores Range too); 206: the rest, after what the file holds.
            boolean whole = status == 200;
            long start = whole ? 0 : have;
            OutputStream out;
            try {
                out = s.opener().open(part, !whole);
            } catch (IOException e) {
                storageFailure = e;
                return new Discard();
            }
            BlobWriter w = new BlobWriter(out, size - start);
            writer = w;
            return w;
        }
    }

    private static boolean rangeStartsAt(HttpHeaders h, long have) {
        // Content-Range: bytes <first>-<last>/<total>
        String v = h.firstValue("content-range").orElse("").strip().toLowerCase(Locale.ROOT);
        if (!v.startsWith("bytes ")) {
            return false;
        }
        int dash = v.indexOf('-');
        try {
            return dash > 6 && Long.parseLong(v.substring(6, dash).strip()) == have;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void await(Target t, Metadata m, CompletableFuture<HttpResponse<Void>> f, Exchange ex, long startedAt,
                       long started) throws Retriable, IOException, InterruptedException {
        long pollMillis = Math.max(5, Math.min(200, s.timeout().toMillis() / 4));
        long idleLimit = s.timeout().toNanos();
        try {
            while (true) {
                try {
                    f.get(pollMillis, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    BlobWriter w = ex.writer;
                    if (w != null) {
                        long start = ex.status == 206 ? ex.have : 0;
                        report(t, m, start + w.written(), startedAt, started, false);
                        if (System.nanoTime() - w.lastActivityNanos() > idleLimit) {
                            w.abort(new HttpTimeoutException("no data for " + s.timeout().toMillis() + " ms"));
                        }
                    }
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BlobWriter.StorageFailure) {
                throw storage("Could not write " + ex.part + " (" + cause.getMessage() + "). The part downloaded so "
                        + "far is kept there and the next try resumes from it; free some space and try again.",
                        (IOException) cause);
            }
            if (cause instanceof BlobWriter.TooLong) {
                Files.deleteIfExists(ex.part);
                throw protocol(t, display(m.location()) + " sent more than the " + m.size()
                        + " bytes its metadata announced; nothing was kept");
            }
            if (cause instanceof IOException) {
                throw new Retriable(cause.getMessage() == null ? cause.getClass().getSimpleName()
                        : cause.getMessage(), cause);
            }
            throw protocol(t, "the exchange with " + display(m.location()) + " failed: " + cause);
        } catch (InterruptedException e) {
            f.cancel(true);
            BlobWriter w = ex.writer;
            if (w != null) {
                w.abort(e);
            }
            throw e;
        }
    }

    private void report(Target t, Metadata m, long done, long startedAt, long startedNanos, boolean complete) {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        double rate = seconds > 0 ? (done - startedAt) / seconds : 0;
        try {
            s.progress().update(new HubProgress.Transfer(t.repo(), t.file(), done, m.size(), Math.max(0, rate),
                    complete));
        } catch (RuntimeException e) {
            log.warn("The progress listener failed (ignored): {}", e.toString());
        }
    }

    // ---------------------------------------------------------------------------------------------- HTTP

    private HttpRequest.Builder request(URI url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(s.timeout()).header("User-Agent", USER_AGENT);
        if (s.token() != null && Names.origin(url).equals(endpointOrigin)) {
            b.header("Authorization", "Bearer " + s.token());
        }
        return b;
    }

    private <T> T withRetries(Target t, URI url, Attempt<T> attempt) {
        Retriable last = null;
        for (int n = 0; n <= s.retries(); n++) {
            if (n > 0) {
                long base = Math.min(s.backoff().toNanos(), MAX_BACKOFF.toNanos());
                long delay = Math.min(MAX_BACKOFF.toNanos(), base << Math.min(n - 1, 20));
                delay = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
                log.info("Trying {} again in {} ms ({} of {}): {}", display(url), delay / 1_000_000, n, s.retries(),
                        Redaction.excerpt(last.getMessage(), 300));
                try {
                    TimeUnit.NANOSECONDS.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HubException(Reason.UNREACHABLE, "Interrupted while downloading " + t.what(), e);
                }
            }
            try {
                return attempt.run();
            } catch (Retriable e) {
                last = e;
            } catch (IOException e) {
                last = new Retriable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
                if (e instanceof java.net.ConnectException && e.getMessage() == null) {
                    last = new Retriable("connection refused", e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(Reason.UNREACHABLE, "Interrupted while downloading " + t.what(), e);
            }
        }
        throw new HubException(Reason.UNREACHABLE, "Could not download " + t.what() + " from " + display(url)
                + " after " + (s.retries() + 1) + (s.retries() == 0 ? " try" : " tries") + " ("
                + Redaction.excerpt(last.getMessage(), 300) + "); the cache " + s.cache().root()
                + " has no copy of it. Check the network and HF_ENDPOINT (" + display(s.endpoint())
                + "), or copy the model into that cache and set HF_HUB_OFFLINE=1.", last.getCause());
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private String location(Target t, HttpHeaders h, URI from) {
        return h.firstValue("location").orElseThrow(() ->
                protocol(t, display(from) + " redirected without a Location header"));
    }

    private URI redirectTarget(Target t, URI from, String location) {
        try {
            URI next = from.resolve(new URI(location));
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
                throw protocol(t, display(from) + " redirected to a URL that is not http(s)");
            }
            return next;
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw protocol(t, display(from) + " redirected to an invalid URL");
        }
    }

    private static boolean isRelative(String location) {
        try {
            URI u = new URI(location);
            return u.getScheme() == null && u.getRawAuthority() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private HubException statusFailure(Target t, int status, HttpHeaders h, URI url) throws Retriable {
        if (status == 429 || status >= 500) {
            throw new Retriable("HTTP " + status + " from " + display(url), null);
        }
        if (!Names.origin(url).equals(endpointOrigin)) {
            // A CDN or mirror the Hub redirected to: its 403 or 404 says nothing about the repository or the token.
            return protocol(t, "HTTP " + status + " from " + display(url) + ", where " + display(s.endpoint())
                    + " redirected the download; try again later");
        }
        String code = h.firstValue("x-error-code").orElse("");
        String said = h.firstValue("x-error-message").map(v -> " (the Hub says: " + Redaction.excerpt(v, 200) + ")")
                .orElse("");
        String hub = display(s.endpoint());
        boolean token = s.token() != null;
        switch (code) {
            case "RepoNotFound":
                return new HubException(Reason.REPO_NOT_FOUND, "No repository " + t.repo() + " at " + hub
                        + (token ? " that the token in HF_TOKEN can read" : "; if it is private, set HF_TOKEN to a "
                        + "token that can read it") + said);
            case "RevisionNotFound":
                return new HubException(Reason.REVISION_NOT_FOUND, "No revision " + t.revision() + " in repo "
                        + t.repo() + " at " + hub + ": give a branch, a tag or a commit hash it has" + said);
            case "EntryNotFound":
                return new HubException(Reason.FILE_NOT_FOUND, "No file " + t.file() + " in repo " + t.repo()
                        + " at revision " + t.revision() + said);
            case "GatedRepo":
                return new HubException(Reason.TOKEN_NEEDED, "Repository " + t.repo() + " is gated: accept its "
                        + "conditions at " + hub + "/" + t.repo() + " and set HF_TOKEN to a token of that account"
                        + (token ? " (the token in HF_TOKEN has no access yet)" : " (no token is set)") + said);
            default:
                break;
        }
        if (status == 401 || status == 403) {
            return new HubException(Reason.TOKEN_NEEDED, token
                    ? "The token in HF_TOKEN was refused (HTTP " + status + ") for " + t.what() + ": use a token "
                    + "with read access to " + t.repo() + said
                    : "Repository " + t.repo() + " needs a token (HTTP " + status + "): set HF_TOKEN to a token "
                    + "with read access (it may be gated or private)" + said);
        }
        if (status == 404) {
            return new HubException(Reason.FILE_NOT_FOUND, "Not found (HTTP 404): " + t.what() + " at " + hub
                    + ": the repository, the revision or the file does not exist" + (token ? "" : ", or the "
                    + "repository is private and HF_TOKEN is not set") + said);
        }
        return protocol(t, "HTTP " + status + " from " + display(url) + said);
    }

    private HubException protocol(Target t, String what) {
        return new HubException(Reason.PROTOCOL, "Could not download " + t.what() + ": " + what);
    }

    private static HubException storage(String message, IOException cause) {
        boolean said = cause.getMessage() != null && message.contains(cause.getMessage());
        return new HubException(Reason.STORAGE, said ? message : message + ": " + cause, cause);
    }

    /** A URL as it may appear in a message or a log line: no query (signed CDN URLs carry credentials there). */
    static String display(URI u) {
        String scheme = u.getScheme() == null ? "" : u.getScheme() + "://";
        String auth = u.getRawAuthority() == null ? "" : u.getRawAuthority().replaceAll("^.*@", "");
        return scheme + auth + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
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
