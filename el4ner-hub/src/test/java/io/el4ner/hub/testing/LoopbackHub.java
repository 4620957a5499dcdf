package io.el4ner.hub.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

        /** @return the token of a gated repository, or null */
        String token() {
            return token;
        }

        /** @return the (last) Git LFS file with that SHA-256, or null */
        synchronized String lfsPath(String sha) {
            String path = null;
            for (String p : files.keySet()) {
                if (isLfs(p) && etag(p).equals(sha)) {
                    path = p;
                }
            }
            return path;
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
    private final LoopbackHttp http = new LoopbackHttp(repos, aliases, this::cdn);

    private LoopbackHub(int port) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(loopback, port), 64);
        cdn = cdnServer(loopback);
        hub.createContext("/", http::handleHub);
        cdn.createContext("/", http::handleCdn);
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
        http.resolveCache = on;
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
        http.fault(path, fault);
    }

    /** The next {@code n} requests of any kind, to either server, answer 500. */
    public void failNextRequests(int n) {
        http.failNext.set(n);
    }

    /** Content GETs wait until {@link #releaseGets()} (or the hub closes). */
    public void holdGets() {
        http.hold = new CountDownLatch(1);
    }

    /** Lets held content GETs go. */
    public void releaseGets() {
        http.hold.countDown();
    }

    /** @return every request seen so far, in order */
    public List<Request> requests() {
        return List.copyOf(http.requests);
    }

    /** @return how many requests with that method were seen */
    public long count(String method) {
        return http.requests.stream().filter(r -> r.method().equals(method)).count();
    }

    /** Forgets the requests seen so far. */
    public void clearRequests() {
        http.requests.clear();
    }

    @Override
    public void close() {
        http.closed.countDown();
        http.hold.countDown();
        hub.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
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
            h.http.closed.await();
        }
    }

    /** @return the ids of the repositories served */
    public List<String> repoIds() {
        return new ArrayList<>(repos.keySet());
    }
}
