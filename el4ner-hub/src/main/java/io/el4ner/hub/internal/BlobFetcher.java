package io.el4ner.hub.internal;

import io.el4ner.hub.HubException;
import io.el4ner.hub.HubException.Reason;
import io.el4ner.hub.HubProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code GET} of a blob: resumed with {@code Range} from the partial file, redirects followed, the body bounded
 * by the announced size ({@link BlobWriter}) and by an idle timeout, progress reported, retried; an LFS blob is
 * checked against its SHA-256 before it is moved into the cache.
 */
final class BlobFetcher {
    private static final Logger log = LoggerFactory.getLogger(BlobFetcher.class);

    private final Downloader.Settings s;
    private final HubHttp hub;

    /**
     * @param settings the settings: the cache, the timeout, the progress listener, the opener of partial files
     * @param hub the exchanges with the Hub
     */
    BlobFetcher(Downloader.Settings settings, HubHttp hub) {
        this.s = settings;
        this.hub = hub;
    }

    /**
     * Downloads a blob into its partial file, resumed from what an earlier try left, checks an LFS blob's SHA-256
     * (downloading it once more if it does not match) and moves it into place.
     *
     * @param t the file
     * @param m its metadata
     * @throws IOException if the cache cannot be written
     * @throws HubException if the download fails after the retries, or twice gives the wrong content
     */
    void fetch(Target t, Metadata m) throws IOException {
        Path part = s.cache().incomplete(t.repo(), m.etag());
        Path blob = s.cache().blob(t.repo(), m.etag());
        Files.createDirectories(part.getParent());
        for (int round = 1; ; round++) {
            hub.withRetries(t, m.location(), () -> {
                getOnce(t, m, part);
                return null;
            });
            if (m.lfs()) {
                String actual = Digests.of(part, "SHA-256", null);
                if (!actual.equals(m.etag())) {
                    Files.delete(part);
                    if (round == 1) {
                        log.warn("The download of {} has SHA-256 {}, not {}; downloading it again", t.what(), actual,
                                m.etag());
                        continue;
                    }
                    throw new HubException(Reason.CORRUPT, "Downloaded " + t.what() + " twice and its SHA-256 was "
                            + actual + ", not " + m.etag() + " as the Hub says, both times; the server at "
                            + HubHttp.display(m.location()) + " sends wrong content. Nothing was kept in the cache "
                            + s.cache().root() + ".");
                }
            }
            CacheLayout.complete(part, blob);
            return;
        }
    }

    private void getOnce(Target t, Metadata m, Path part) throws HubHttp.Retriable, IOException, InterruptedException {
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
        for (int hop = 0; hop <= HubHttp.MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = hub.request(url).GET().header("Accept-Encoding", "identity");
            if (have > 0) {
                b.header("Range", "bytes=" + have + "-");
            }
            Exchange ex = new Exchange(part, have, m.size());
            CompletableFuture<HttpResponse<Void>> f = hub.client().sendAsync(b.build(), ex);
            await(t, m, f, ex, startedAt, started);
            int status = ex.status;
            if (HubHttp.isRedirect(status)) {
                url = hub.redirectTarget(t, url, hub.location(t, ex.headers, url));
                continue;
            }
            if (ex.storageFailure != null) {
                throw Failures.storage("Could not open " + part + " to write " + t.what(), ex.storageFailure);
            }
            if (ex.rangeMismatch || status == 416) {
                Files.deleteIfExists(part);
                throw new HubHttp.Retriable("the server did not resume at byte " + have + " of " + HubHttp.display(url), null);
            }
            if (status == 200 || status == 206) {
                long now = Files.size(part);
                report(t, m, now, startedAt, started, now == m.size());
                if (now < m.size()) {
                    throw new HubHttp.Retriable("the body from " + HubHttp.display(url) + " ended after " + now + " of " + m.size()
                            + " bytes", null);
                }
                return;
            }
            throw hub.statusFailure(t, status, ex.headers, url);
        }
        throw new HubException(Reason.PROTOCOL, "More than " + HubHttp.MAX_REDIRECTS + " redirects from "
                + HubHttp.display(m.location()) + " for " + t.what());
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
                       long started) throws HubHttp.Retriable, IOException, InterruptedException {
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
                throw Failures.storage("Could not write " + ex.part + " (" + cause.getMessage() + "). The part downloaded so "
                        + "far is kept there and the next try resumes from it; free some space and try again.",
                        (IOException) cause);
            }
            if (cause instanceof BlobWriter.TooLong) {
                Files.deleteIfExists(ex.part);
                throw Failures.protocol(t, HubHttp.display(m.location()) + " sent more than the " + m.size()
                        + " bytes its metadata announced; nothing was kept");
            }
            if (cause instanceof IOException) {
                throw new HubHttp.Retriable(cause.getMessage() == null ? cause.getClass().getSimpleName()
                        : cause.getMessage(), cause);
            }
            throw Failures.protocol(t, "the exchange with " + HubHttp.display(m.location()) + " failed: " + cause);
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
}
