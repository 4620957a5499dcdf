package io.el4ner.hub.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a response body to the partial file, never more than {@code limit} bytes: a server that sends more than
 * it announced is cut off. Whoever waits for it can {@linkplain #abort(Throwable) abort} it (a body that stalls);
 * either way the subscription is cancelled, which closes the connection. Write failures (a full disk) complete it
 * with {@link StorageFailure}.
 */
final class BlobWriter implements HttpResponse.BodySubscriber<Void> {
    /** The body could not be written: not a network fault, so not retried. */
    static final class StorageFailure extends IOException {
        private static final long serialVersionUID = 1L;

        StorageFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The server sent more than the size it announced. */
    static final class TooLong extends IOException {
        private static final long serialVersionUID = 1L;

        TooLong(long limit) {
            super("the server sent more than the " + limit + " bytes announced");
        }
    }

    private final OutputStream out;
    private final long limit;
    private final CompletableFuture<Void> result = new CompletableFuture<>();
    private final AtomicLong written = new AtomicLong();
    private volatile long lastActivityNanos = System.nanoTime();
    private Flow.Subscription subscription;
    private boolean closed;

    BlobWriter(OutputStream out, long limit) {
        this.out = out;
        this.limit = limit;
    }

    /** @return the bytes written so far */
    long written() {
        return written.get();
    }

    /** @return {@link System#nanoTime()} when bytes last arrived (or the writer was made) */
    long lastActivityNanos() {
        return lastActivityNanos;
    }

    @Override
    public synchronized void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
            return;
        }
        s.request(1);
    }

    @Override
    public synchronized void onNext(List<ByteBuffer> items) {
        if (closed) {
            return;
        }
        lastActivityNanos = System.nanoTime();
        try {
            for (ByteBuffer b : items) {
                long room = limit - written.get();
                int n = b.remaining();
                if (n > room) {
                    write(b, (int) room);
                    fail(new TooLong(limit));
                    return;
                }
                write(b, n);
            }
        } catch (IOException e) {
            fail(new StorageFailure(e));
            return;
        }
        subscription.request(1);
    }

    private void write(ByteBuffer b, int n) throws IOException {
        if (n <= 0) {
            return;
        }
        byte[] chunk = new byte[n];
        b.get(chunk);
        out.write(chunk);
        written.addAndGet(n);
    }

    @Override
    public synchronized void onError(Throwable t) {
        finish(t);
    }

    @Override
    public synchronized void onComplete() {
        finish(null);
    }

    /** Stops reading: the body future fails with {@code cause}. */
    synchronized void abort(Throwable cause) {
        fail(cause);
    }

    private void fail(Throwable cause) {
        if (subscription != null) {
            subscription.cancel();
        }
        finish(cause);
    }

    private void finish(Throwable failure) {
        if (closed) {
            return;
        }
        closed = true;
        Throwable error = failure;
        try {
            out.close();
        } catch (IOException e) {
            if (error == null) {
                error = new StorageFailure(e);
            } else {
                error.addSuppressed(e);
            }
        }
        if (error == null) {
            result.complete(null);
        } else {
            result.completeExceptionally(error);
        }
    }

    @Override
    public CompletionStage<Void> getBody() {
        return result;
    }
}
