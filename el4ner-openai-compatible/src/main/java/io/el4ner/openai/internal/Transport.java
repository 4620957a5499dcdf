package io.el4ner.openai.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One HTTP exchange with a deadline that covers the whole exchange, body included, and that ends it when the
 * calling thread is interrupted: the request runs with {@link HttpClient#sendAsync}, and a timeout or an
 * interrupt cancels its future, which aborts the exchange and closes its connection. The client may be shared with
 * other members: {@link #cancelAll()} aborts this transport's exchanges only.
 */
final class Transport {
    private final Supplier<HttpClient> client;
    private final long maxResponseBytes;
    private final String authorization;
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

    /**
     * @param client the HTTP client, asked for on each exchange (so that it can be created lazily)
     * @param maxResponseBytes the most bytes of a response body to read
     * @param apiKey the bearer token, or null for none; never shown
     */
    public Transport(Supplier<HttpClient> client, long maxResponseBytes, String apiKey) {
        this.client = client;
        this.maxResponseBytes = maxResponseBytes;
        this.authorization = apiKey == null ? null : "Bearer " + apiKey;
    }

    /**
     * @param uri where to POST
     * @param json the body
     * @return a request with the JSON and auth headers
     */
    public HttpRequest post(URI uri, byte[] json) {
        return base(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build();
    }

    /**
     * @param uri what to GET
     * @return a request with the auth header
     */
    public HttpRequest get(URI uri) {
        return base(uri).GET().build();
    }

    private HttpRequest.Builder base(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    /**
     * Sends a request and reads the whole response within the timeout.
     *
     * @param request the request
     * @param timeoutNanos the deadline of the exchange, from now
     * @return the response with its body (at most the configured bytes)
     * @throws TimeoutException if the exchange did not finish in time (it is aborted)
     * @throws InterruptedException if the calling thread was interrupted (the exchange is aborted)
     * @throws IOException if the exchange failed; a {@link ResponseTooLargeException} for an oversized body
     */
    public HttpResponse<byte[]> exchange(HttpRequest request, long timeoutNanos)
            throws TimeoutException, InterruptedException, IOException {
        CompletableFuture<HttpResponse<byte[]>> future;
        try {
            future = client.get().sendAsync(request, new CappedBodyHandler(maxResponseBytes));
        } catch (IllegalStateException | RejectedExecutionException e) {
            throw new IOException("the member is closed", e);
        }
        inFlight.add(future);
        try {
            return future.get(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (CancellationException e) {
            throw new IOException("the exchange was aborted: the member was closed", e);
        } catch (ExecutionException e) {
            throw asIoException(e.getCause());
        } finally {
            inFlight.remove(future);
        }
    }

    /** Aborts every exchange of this transport in flight (when its member closes); others' are not touched. */
    public void cancelAll() {
        for (CompletableFuture<?> f : inFlight) {
            f.cancel(true);
        }
    }

    private static IOException asIoException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ResponseTooLargeException r) {
                return r;
            }
        }
        if (t instanceof IOException io) {
            return io;
        }
        return new IOException(t == null ? "unknown failure" : t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage()), t);
    }
}
