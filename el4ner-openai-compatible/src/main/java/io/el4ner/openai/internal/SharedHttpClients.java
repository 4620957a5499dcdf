package io.el4ner.openai.internal;

import io.el4ner.api.El4nerException;
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

    /**
     * Thrown when a client is asked of a lease that is closed or of a shared client that was released: the member
     * asking is closed (its last holder let go while it was starting a request), and no client is created for it.
     */
    public static final class ReleasedException extends El4nerException {
        private static final long serialVersionUID = 1L;

        ReleasedException() {
            super("the HTTP client was released: the member is closed");
        }
    }

    /** For tests: run by {@link Lease#client()} between its check and asking the shared client; null for none. */
    static volatile Runnable beforeSharedClient;

    /** A member's hold on a shared client. */
    public static final class Lease implements AutoCloseable {
        private final Shared shared;
        private volatile boolean closed;

        private Lease(Shared shared) {
            this.shared = shared;
        }

        /**
         * @return the client, created on the first call of any holder
         * @throws ReleasedException if this lease is closed, or the shared client was released meanwhile (the last
         *         holder closed between the check and the request: no client is created again then)
         */
        public HttpClient client() {
            if (closed) {
                throw new ReleasedException();
            }
            Runnable hook = beforeSharedClient;
            if (hook != null) {
                hook.run();
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
        /** Set by {@link #release()}: the entry is out of the map and has no holders, so it never starts again. */
        private boolean released;

        Shared(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        synchronized boolean started() {
            return client != null;
        }

        synchronized HttpClient client() {
            if (released) {
                throw new ReleasedException();
            }
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
                released = true;
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
