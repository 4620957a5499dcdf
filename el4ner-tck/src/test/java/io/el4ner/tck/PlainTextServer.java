package io.el4ner.tck;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local server for the README's plugin example: {@code /ok} answers {@link #ANSWER}; {@code /busy} 503,
 * {@code /rate-limited} 429, {@code /denied} 401 (its body echoing {@link #ECHOED_KEY}), {@code /missing} 404;
 * {@code /slow?ms=N} answers after N ms.
 */
final class PlainTextServer {
    static final String ANSWER = "{\"entities\": [\"Angela Merkel\", \"Paris\"]}";
    /** A key that {@code /denied} echoes in its body, as some servers do: a member must not pass it on. */
    static final String ECHOED_KEY = "sk-echoed-by-the-server-0123456789";
    private final HttpServer server;
    private final ExecutorService threads;

    private PlainTextServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    static PlainTextServer start() throws IOException {
        ExecutorService threads = Executors.newCachedThreadPool();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/ok", e -> reply(e, 200, ANSWER));
        server.createContext("/busy", e -> reply(e, 503, "overloaded"));
        server.createContext("/rate-limited", e -> reply(e, 429, "slow down"));
        server.createContext("/denied", e -> reply(e, 401, "invalid API key " + ECHOED_KEY));
        server.createContext("/missing", e -> reply(e, 404, "no such model"));
        server.createContext("/slow", e -> {
            try {
                Thread.sleep(Long.parseLong(e.getRequestURI().getQuery().substring("ms=".length())));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            reply(e, 200, ANSWER);
        });
        server.start();
        return new PlainTextServer(server, threads);
    }

    /** @return the URL of {@code path} (with its query) on this server */
    String url(String path) {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + path;
    }

    void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    private static void reply(HttpExchange e, int status, String body) throws IOException {
        e.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            e.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = e.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException gone) {
            // the client gave up (a timeout test): nothing to answer to
        } finally {
            e.close();
        }
    }
}
