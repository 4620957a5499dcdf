package io.el4ner.openai.internal;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP clients of all members in this JVM: one per distinct connect timeout (the only client setting members
 * differ in; each request carries its own deadline), created on first use with a cached pool of daemon threads
 * named {@code el4ner-openai-<n>-<m>}, and released (its threads stopped) when the last member holding it closes.
 * So an ensemble's threads and connections grow with the requests in flight, not with its member count.
 */
public final class SharedHttpClients {
    private static final Map<Duration, Shared> SHARED = new HashMap<>();
    private static final AtomicInteger IDS = new AtomicInteger();

    private SharedHttpClients() {
    }

    /**
     * Takes a hold on the shared client for a connect timeout; no client or thread is created until
     * {@link Lease#client()} is first called.
     *
     * @param connectTimeout the connect timeout
     * @return the hold, to close when the member closes
     */
    public static Lease lease(Duration connectTimeout) {
        synchronized (SHARED) {
            Shared s = SHARED.computeIfAbsent(connectTimeout, Shared::new);
            s.holders++;
            return new Lease(s);
        }
    }

    /** @return how many shared clients have been created and not yet released (for tests) */
    public static int liveClients() {
        synchronized (SHARED) {
            return (int) SHARED.values().stream().filter(Shared::started).count();
        }
    }

    /** A member's hold on a shared client. */
    public static final class Lease implements AutoCloseable {
        private final Shared shared;
        private volatile boolean closed;

        private Lease(Shared shared) {
            this.shared = shared;
        }

        /**
         * @return the client, created on the first call of any holder
         * @throws IllegalStateException if this lease is closed
         */
        public HttpClient client() {
            if (closed) {
                throw new IllegalStateException("the HTTP client was released");
            }
            return shared.client();
        }

        /** Lets go of the client; the last holder to let go stops its threads. Idempotent. */
        @Override
        public void close() {
            boolean last;
            synchronized (SHARED) {
                if (closed) {
                    return;
                }
                closed = true;
                last = --shared.holders == 0;
                if (last) {
                    SHARED.remove(shared.connectTimeout, shared);
                }
            }
            if (last) {
                shared.release();
            }
        }
    }

    private static final class Shared {
        final Duration connectTimeout;
        int holders;
        private HttpClient client;
        private ExecutorService executor;

        Shared(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        synchronized boolean started() {
            return client != null;
        }

        synchronized HttpClient client() {
            if (client == null) {
                int id = IDS.incrementAndGet();
                AtomicInteger threads = new AtomicInteger();
                ThreadFactory factory = r -> {
                    Thread t = new Thread(r, "el4ner-openai-" + id + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                };
                executor = Executors.newCachedThreadPool(factory);
                client = HttpClient.newBuilder()
                        .connectTimeout(connectTimeout)
                        .version(HttpClient.Version.HTTP_1_1)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .executor(executor)
                        .build();
            }
            return client;
        }

        void release() {
            ExecutorService e;
            synchronized (this) {
                e = executor;
                executor = null;
                client = null; // its selector thread ends once the client is collected
            }
            if (e != null) {
                e.shutdownNow();
            }
        }
    }
}
