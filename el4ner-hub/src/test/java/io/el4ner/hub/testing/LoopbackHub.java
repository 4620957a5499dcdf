package io.el4ner.hub.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A Hugging Face Hub on loopback, for tests and {@code .ci/run}: the JDK's HTTP server on {@code 127.0.0.1} with a
 * random port serves {@code HEAD} and {@code GET /{org}/{name}/resolve/{revision}/{path}} with the Hub's headers
 * ({@code X-Repo-Commit}, {@code ETag} with the Git blob id, and for Git LFS files a {@code 302} to a second
 * server, "the CDN", on 127.0.0.2 (or, where that cannot be bound, on another port), with {@code X-Linked-Etag} (the SHA-256) and {@code X-Linked-Size}),
 * {@code Range} requests, and the Hub's {@code X-Error-Code}s ({@code RepoNotFound}, {@code RevisionNotFound},
 * {@code EntryNotFound}, {@code GatedRepo}). Each repository has one commit, reachable as {@code main} or by its
 * hash.
 *
 * <p>Faults are queued per file and spent one GET of its content at a time ({@link #fault(String, Fault)}), or for
 * the next requests of any kind ({@link #failNextRequests(int)}); every request is recorded ({@link #requests()}).
 *
 * <p>Run alone ({@code java -cp <test classes> io.el4ner.hub.testing.LoopbackHub <dir> [port]}) it serves {@code
 * <dir>/<org>/<name>/...} (see {@link #serving(Path)}) and prints {@code HF_ENDPOINT=http://127.0.0.1:<port>} on
 * stdout, until it is killed. Needs only the JDK ({@code jdk.httpserver}).
 */
public final class LoopbackHub implements AutoCloseable {
    /** What a queued fault does to the next GET of a file's content. */
    public enum Fault {
        /** Answer 500 (the client should retry). */
        STATUS_500,
        /** Announce the full length, send half, close the connection. */
        TRUNCATE,
        /** Send the full length with one byte changed (a wrong SHA-256). */
        CORRUPT,
        /** Announce the full length, send half, then nothing until the hub closes. */
        STALL,
        /** Send the content and as much again, chunked: more than announced. */
        OVERSIZE,
        /** Ignore {@code Range}: answer 200 with the whole content. */
        IGNORE_RANGE,
        /** Answer 403, as an expired signed CDN URL does. */
        STATUS_403
    }

    /**
     * One request the hub saw.
     *
     * @param server {@code hub} or {@code cdn}
     * @param method the method
     * @param path the raw path
     * @param range the {@code Range} header, or null
     * @param authorization the {@code Authorization} header, or null
     */
    public record Request(String server, String method, String path, String range, String authorization) {
    }

    /** A repository: files and one commit. */
    public final class Repo {
        private final String id;
        private final Map<String, byte[]> files = new LinkedHashMap<>();
        private final Map<String, Boolean> lfs = new LinkedHashMap<>();
        private volatile String token;
        private volatile String commit;
        private volatile String pinnedCommit;

        private Repo(String id) {
            this.id = id;
        }

        /** Adds a plain (non-LFS) file, served from the resolve URL with its Git blob id as ETag. */
        public synchronized Repo file(String path, byte[] content) {
            files.put(path, content.clone());
            lfs.put(path, false);
            commit = null;
            return this;
        }

        /** Adds a Git LFS file, redirected to the CDN, with its SHA-256 as X-Linked-Etag. */
        public synchronized Repo lfsFile(String path, byte[] content) {
            files.put(path, content.clone());
            lfs.put(path, true);
            commit = null;
            return this;
        }

        /** Makes the repository gated: only {@code Authorization: Bearer <token>} gets its files. */
        public Repo gated(String token) {
            this.token = token;
            return this;
        }

        /**
         * Gives the repository's one commit this hash instead of one derived from the content, so that a client
         * pinned to a real commit revision finds it here.
         *
         * @param hash 40 lower-case hex digits
         * @return this repository
         */
        public synchronized Repo commit(String hash) {
            if (!hash.matches("[0-9a-f]{40}")) {
                throw new IllegalArgumentException("a commit hash is 40 lower-case hex digits, got " + hash);
            }
            pinnedCommit = hash;
            return this;
        }

        /** @return the commit hash (derived from the content unless {@link #commit(String) pinned}), which {@code
         *     main} resolves to */
        public synchronized String commit() {
            if (pinnedCommit != null) {
                return pinnedCommit;
            }
            if (commit == null) {
                StringBuilder b = new StringBuilder(id);
                files.forEach((p, c) -> b.append('\n').append(p).append(' ').append(sha256(c)));
                commit = hex("SHA-1", b.toString().getBytes(StandardCharsets.UTF_8));
            }
            return commit;
        }

        /** @return the Git LFS SHA-256 or the Git blob id of a file */
        public synchronized String etag(String path) {
            byte[] c = Objects.requireNonNull(files.get(path), path);
            return lfs.get(path) ? sha256(c) : gitBlobId(c);
        }

        synchronized byte[] content(String path) {
            return files.get(path);
        }

        synchronized boolean isLfs(String path) {
            return Boolean.TRUE.equals(lfs.get(path));
        }
    }

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-hub");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final Map<String, Repo> bySha = new ConcurrentHashMap<>();
    private final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private volatile boolean resolveCache;

    private LoopbackHub(int port) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(loopback, port), 64);
        cdn = cdnServer(loopback);
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.setExecutor(executor);
        cdn.setExecutor(executor);
        hub.start();
        cdn.start();
    }

    /**
     * The CDN on another host name where the system has one (Linux routes all of 127.0.0.0/8 to loopback): clients
     * such as Python's huggingface_hub follow a HEAD's redirect to the same host name, whatever the port, and would
     * then miss the Hub's headers. Elsewhere (macOS) 127.0.0.1 on another port: another origin all the same.
     */
    private static HttpServer cdnServer(InetAddress loopback) throws IOException {
        try {
            return HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0), 64);
        } catch (IOException e) {
            return HttpServer.create(new InetSocketAddress(loopback, 0), 64);
        }
    }

    /** @return an empty hub on a free port */
    public static LoopbackHub start() {
        try {
            return new LoopbackHub(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A hub serving a directory: {@code <dir>/<org>/<name>/<path>} is file {@code path} of repository {@code
     * org/name}, whose commit is the hash in {@code <dir>/<org>/<name>.commit} if that file exists; {@code .onnx},
     * {@code .onnx_data}, {@code .bin}, {@code .safetensors} and {@code .gguf} files and
     * files over 10 MB are Git LFS files.
     *
     * @param dir the directory
     * @param port the port, 0 for any free one
     * @return the running hub
     * @throws IOException if the directory cannot be read or the port is taken
     */
    public static LoopbackHub serving(Path dir, int port) throws IOException {
        LoopbackHub h = new LoopbackHub(port);
        try (Stream<Path> orgs = Files.list(dir)) {
            for (Path org : orgs.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> names = Files.list(org)) {
                    for (Path name : names.filter(Files::isDirectory).sorted().toList()) {
                        Repo repo = h.repo(org.getFileName() + "/" + name.getFileName());
                        Path pinned = org.resolve(name.getFileName() + ".commit");
                        if (Files.isRegularFile(pinned)) {
                            repo.commit(Files.readString(pinned, StandardCharsets.UTF_8).strip());
                        }
                        try (Stream<Path> files = Files.walk(name)) {
                            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                                String path = name.relativize(f).toString().replace('\\', '/');
                                byte[] content = Files.readAllBytes(f);
                                String lower = path.toLowerCase(Locale.ROOT);
                                boolean big = lower.matches(".*\\.(onnx|onnx_data|bin|safetensors|gguf)")
                                        || content.length > 10_000_000;
                                if (big) {
                                    repo.lfsFile(path, content);
                                } else {
                                    repo.file(path, content);
                                }
                            }
                        }
                    }
                }
            }
        }
        return h;
    }

    /** @see #serving(Path, int) */
    public static LoopbackHub serving(Path dir) throws IOException {
        return serving(dir, 0);
    }

    /** @return the repository with that id, made empty if new */
    public Repo repo(String id) {
        return repos.computeIfAbsent(id, Repo::new);
    }

    /** Makes {@code oldId} a renamed repository: its resolve URLs answer 307 to {@code newId}'s, relatively. */
    public void alias(String oldId, String newId) {
        aliases.put(oldId, newId);
    }

    /**
     * Plain files answer 307 to a relative {@code /api/resolve-cache/models/{repo}/{commit}/{path}}, as the Hub
     * does at times, instead of the content itself.
     */
    public void resolveCacheRedirects(boolean on) {
        resolveCache = on;
    }

    /** @return the URL to use as {@code HF_ENDPOINT} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    /** @return the CDN's base URL (another host or port: another origin, which must not get the token) */
    public URI cdn() {
        return URI.create("http://" + cdn.getAddress().getAddress().getHostAddress() + ":"
                + cdn.getAddress().getPort());
    }

    /** Queues a fault for the next GET of a file's content ({@code path} in any repository). */
    public void fault(String path, Fault fault) {
        faults.computeIfAbsent(path, k -> new ArrayDeque<>());
        synchronized (faults.get(path)) {
            faults.get(path).add(fault);
        }
    }

    /** The next {@code n} requests of any kind, to either server, answer 500. */
    public void failNextRequests(int n) {
        failNext.set(n);
    }

    /** Content GETs wait until {@link #releaseGets()} (or the hub closes). */
    public void holdGets() {
        hold = new CountDownLatch(1);
    }

    /** Lets held content GETs go. */
    public void releaseGets() {
        hold.countDown();
    }

    /** @return every request seen so far, in order */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** @return how many requests with that method were seen */
    public long count(String method) {
        return requests.stream().filter(r -> r.method().equals(method)).count();
    }

    /** Forgets the requests seen so far. */
    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        closed.countDown();
        hold.countDown();
        hub.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------- handlers

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

    private void handleHub(HttpExchange ex) throws IOException {
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
            if (repo.token != null && !("Bearer " + repo.token).equals(ex.getRequestHeaders().getFirst(
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
                out.set("ETag", "\"" + gitBlobId(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha
                        + "\nsize " + content.length + "\n").getBytes(StandardCharsets.UTF_8)) + "\"");
                out.set("Location", cdn() + "/cdn/" + sha + "?path=" + parts[4] + "&X-Amz-Signature=s3cr3t");
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

    private void handleCdn(HttpExchange ex) throws IOException {
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
            String path = null;
            synchronized (repo) {
                for (String p : repo.files.keySet()) {
                    if (repo.isLfs(p) && repo.etag(p).equals(sha)) {
                        path = p;
                    }
                }
            }
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

    /** @return the lower-case hex SHA-256 of the bytes */
    public static String sha256(byte[] content) {
        return hex("SHA-256", content);
    }

    /** @return the Git blob id: the SHA-1 of {@code "blob <length>\0"} and the bytes */
    public static String gitBlobId(byte[] content) {
        byte[] header = ("blob " + content.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[header.length + content.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(content, 0, all, header.length, content.length);
        return hex("SHA-1", all);
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Serves a directory until the process is killed (stdin is not watched: a background job started with
     * {@code &} has it closed).
     *
     * @param args the directory, and optionally the port
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LoopbackHub <dir with org/name/files> [port]");
            System.exit(2);
        }
        try (LoopbackHub h = serving(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 0)) {
            System.out.println("HF_ENDPOINT=" + h.endpoint());
            System.out.flush();
            h.closed.await();
        }
    }

    /** @return the ids of the repositories served */
    public List<String> repoIds() {
        return new ArrayList<>(repos.keySet());
    }
}
