package io.el4ner.hub.internal;

import io.el4ner.hub.HubException;
import io.el4ner.hub.HubException.Reason;
import io.el4ner.hub.HubFileInfo;
import io.el4ner.hub.HubProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What {@link io.el4ner.hub.HubClient} does: the cache first (offline, a commit already there), else metadata from a
 * {@code HEAD} of the resolve URL ({@link HubHttp}), then the blob ({@link BlobFetcher}: a {@code GET} resumed with
 * {@code Range}, bounded by the announced size and an idle timeout, retried with backoff, checked against its
 * SHA-256) under a lock held across threads and processes, then linked into the snapshot.
 *
 * <p>Every server response is untrusted: names that become paths are checked ({@link Names}), bodies are cut at
 * the announced size, error bodies are not read, and header text quoted in a message is bounded and redacted. The
 * token goes only to the endpoint's own origin, never to a redirect target elsewhere, and is in no message.
 */
public final class Downloader {
    private static final Logger log = LoggerFactory.getLogger(Downloader.class);
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

    private final Settings s;
    private final HubHttp hub;
    private final BlobFetcher fetcher;

    /**
     * @param settings the settings
     * @param http the client to use; it must not follow redirects (they are followed here, so that the token stays
     *             with the endpoint)
     */
    public Downloader(Settings settings, HttpClient http) {
        this.s = settings;
        this.hub = new HubHttp(settings, http);
        this.fetcher = new BlobFetcher(settings, hub);
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
            m = hub.head(t);
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
        Metadata m = hub.head(t);
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
                actual = Digests.of(entry, "SHA-256", null);
            } else if (etag.matches("[0-9a-f]{40}")) {
                kind = "Git blob id";
                actual = Digests.of(entry, "SHA-1", ("blob " + Files.size(entry) + "\0").getBytes(StandardCharsets.UTF_8));
            } else {
                return info; // a copy (no link) or an etag of another kind: nothing to check it against
            }
        } catch (IOException e) {
            throw Failures.storage("Could not read " + entry + " to verify " + t.what(), e);
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
            throw Failures.storage("Could not read the cache " + s.cache().root() + " for " + t.what(), e);
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
                throw Failures.storage("Could not read " + entry, e);
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
                        fetcher.fetch(t, m);
                    }
                    return null;
                });
            }
            return cache.link(t.repo(), m.commit(), t.file(), m.etag());
        } catch (IOException e) {
            throw Failures.storage("Could not write " + t.what() + " into the cache " + cache.root(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(Reason.UNREACHABLE, "Interrupted while downloading " + t.what(), e);
        }
    }

    private static boolean isComplete(Path blob, Metadata m) throws IOException {
        return Files.isRegularFile(blob) && Files.size(blob) == m.size();
    }

    private <T> T locked(Target t, Path lockFile, HubHttp.Attempt<T> action) throws IOException, InterruptedException {
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
                } catch (HubHttp.Retriable e) {
                    throw new IllegalStateException(e); // the action handles its own retries
                } finally {
                    lock.release();
                }
            } finally {
                jvmLock.unlock();
            }
        }
    }
}
