package io.el4ner.hub.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.el4ner.hub.testing.LoopbackHub.Fault;
import io.el4ner.hub.testing.LoopbackHub.Repo;
import io.el4ner.hub.testing.LoopbackHub.Request;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The HTTP side of {@link LoopbackHub}: its two servers' handlers, answering from the hub's repositories with the
 * Hub's headers and status codes, and what they record and spend on the way (requests, queued faults, held GETs).
 */
final class LoopbackHttp {
    private final Map<String, Repo> repos;
    private final Map<String, String> aliases;
    private final Supplier<URI> cdn;
    private final Map<String, Repo> bySha = new ConcurrentHashMap<>();
    final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();
    final AtomicInteger failNext = new AtomicInteger();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile CountDownLatch hold = new CountDownLatch(0);
    volatile boolean resolveCache;

    /**
     * @param repos the hub's repositories by id
     * @param aliases renamed repositories: old id to new
     * @param cdn the CDN's base URL
     */
    LoopbackHttp(Map<String, Repo> repos, Map<String, String> aliases, Supplier<URI> cdn) {
        this.repos = repos;
        this.aliases = aliases;
        this.cdn = cdn;
    }

    /** Queues a fault for the next GET of a file's content ({@code path} in any repository). */
    void fault(String path, Fault fault) {
        faults.computeIfAbsent(path, k -> new ArrayDeque<>());
        synchronized (faults.get(path)) {
            faults.get(path).add(fault);
        }
    }

    private boolean record(String server, HttpExchange ex) throws IOException {
        Headers h = ex.getRequestHeaders();
        requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                h.getFirst("Range"), h.getFirst("Authorization")));
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            send(ex, 500, -1);
            return false;
        }
        return true;
    }

    void handleHub(HttpExchange ex) throws IOException {
        try (ex) {
            if (!record("hub", ex)) {
                return;
            }
            String raw = ex.getRequestURI().getRawPath();
            if (raw.startsWith("/api/resolve-cache/models/")) {
                resolveCacheGet(ex, raw.substring("/api/resolve-cache/models/".length()));
                return;
            }
            String[] parts = raw.substring(1).split("/", 5);
            if (parts.length < 5 || !parts[2].equals("resolve")) {
                error(ex, 404, "RepoNotFound");
                return;
            }
            String id = parts[0] + "/" + parts[1];
            String revision = decode(parts[3]);
            String path = decode(parts[4]);
            if (aliases.containsKey(id)) {
                ex.getResponseHeaders().set("Location", "/" + aliases.get(id) + "/resolve/" + parts[3] + "/"
                        + parts[4]);
                send(ex, 307, -1);
                return;
            }
            Repo repo = repos.get(id);
            if (repo == null) {
                error(ex, 404, "RepoNotFound");
                return;
            }
            if (repo.token() != null && !("Bearer " + repo.token()).equals(ex.getRequestHeaders().getFirst(
                    "Authorization"))) {
                error(ex, ex.getRequestHeaders().containsKey("Authorization") ? 403 : 401, "GatedRepo");
                return;
            }
            if (!revision.equals("main") && !revision.equals(repo.commit())) {
                error(ex, 404, "RevisionNotFound");
                return;
            }
            byte[] content = repo.content(path);
            if (content == null) {
                error(ex, 404, "EntryNotFound");
                return;
            }
            Headers out = ex.getResponseHeaders();
            out.set("X-Repo-Commit", repo.commit());
            if (repo.isLfs(path)) {
                String sha = repo.etag(path);
                bySha.put(sha, repo);
                out.set("X-Linked-Etag", "\"" + sha + "\"");
                out.set("X-Linked-Size", Long.toString(content.length));
                out.set("ETag", "\"" + LoopbackHub.gitBlobId(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha
                        + "\nsize " + content.length + "\n").getBytes(StandardCharsets.UTF_8)) + "\"");
                out.set("Location", cdn.get() + "/cdn/" + sha + "?path=" + parts[4] + "&X-Amz-Signature=s3cr3t");
                send(ex, 302, -1);
                return;
            }
            out.set("ETag", "\"" + repo.etag(path) + "\"");
            if (resolveCache) {
                out.set("Location", "/api/resolve-cache/models/" + id + "/" + repo.commit() + "/" + parts[4]);
                send(ex, 307, -1);
                return;
            }
            content(ex, path, content);
        }
    }

    private void resolveCacheGet(HttpExchange ex, String rest) throws IOException {
        // {org}/{name}/{commit}/{path}
        String[] parts = rest.split("/", 4);
        Repo repo = parts.length == 4 ? repos.get(parts[0] + "/" + parts[1]) : null;
        String path = parts.length == 4 ? decode(parts[3]) : "";
        if (repo == null || !parts[2].equals(repo.commit()) || repo.content(path) == null) {
            error(ex, 404, "EntryNotFound");
            return;
        }
        ex.getResponseHeaders().set("X-Repo-Commit", repo.commit());
        ex.getResponseHeaders().set("ETag", "\"" + repo.etag(path) + "\"");
        content(ex, path, repo.content(path));
    }

    void handleCdn(HttpExchange ex) throws IOException {
        try (ex) {
            if (!record("cdn", ex)) {
                return;
            }
            String raw = ex.getRequestURI().getRawPath();
            String sha = raw.startsWith("/cdn/") ? raw.substring(5) : "";
            Repo repo = bySha.get(sha);
            if (repo == null) {
                send(ex, 404, -1);
                return;
            }
            String path = repo.lfsPath(sha);
            if (path == null) {
                send(ex, 404, -1);
                return;
            }
            ex.getResponseHeaders().set("ETag", "\"" + sha + "\"");
            content(ex, path, repo.content(path));
        }
    }

    /** Serves content, honouring {@code Range: bytes=N-} and {@code bytes=N-M}, and spending a queued fault. */
    private void content(HttpExchange ex, String path, byte[] content) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(content.length));
            send(ex, 200, -1);
            return;
        }
        try {
            hold.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Fault fault = null;
        Deque<Fault> queue = faults.get(path);
        if (queue != null) {
            synchronized (queue) {
                fault = queue.poll();
            }
        }
        if (fault == Fault.STATUS_500 || fault == Fault.STATUS_403) {
            send(ex, fault == Fault.STATUS_500 ? 500 : 403, -1);
            return;
        }
        int from = 0;
        int to = content.length - 1;
        String range = ex.getRequestHeaders().getFirst("Range");
        boolean partial = false;
        if (range != null && range.startsWith("bytes=") && fault != Fault.IGNORE_RANGE) {
            String[] r = range.substring(6).split("-", 2);
            from = Integer.parseInt(r[0].strip());
            if (r.length > 1 && !r[1].isBlank()) {
                to = Math.min(to, Integer.parseInt(r[1].strip()));
            }
            if (from >= content.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                send(ex, 416, -1);
                return;
            }
            partial = true;
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + content.length);
        }
        byte[] body = java.util.Arrays.copyOfRange(content, from, to + 1);
        int status = partial ? 206 : 200;
        if (fault == Fault.CORRUPT && body.length > 0) {
            body[body.length / 2] ^= 0x5A;
        }
        if (fault == Fault.OVERSIZE) {
            ex.sendResponseHeaders(status, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
                out.write(body.length == 0 ? new byte[] {1, 2, 3} : body);
            }
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length == 0) {
            return;
        }
        OutputStream out = ex.getResponseBody();
        if (fault == Fault.TRUNCATE || fault == Fault.STALL) {
            out.write(body, 0, body.length / 2);
            out.flush();
            if (fault == Fault.STALL) {
                try {
                    closed.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // A handler that throws makes the server drop the connection: the client sees the body end early.
            throw new IOException("the loopback hub cut this body short on purpose");
        }
        out.write(body);
        out.close();
    }

    private static void error(HttpExchange ex, int status, String code) throws IOException {
        ex.getResponseHeaders().set("X-Error-Code", code);
        ex.getResponseHeaders().set("X-Error-Message", code + " (loopback hub)");
        send(ex, status, -1);
    }

    private static void send(HttpExchange ex, int status, long length) throws IOException {
        ex.sendResponseHeaders(status, length);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
