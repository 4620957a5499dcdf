package io.el4ner.openai.internal;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body into memory up to a limit. A body announced longer than the limit is refused before it
 * is read; one that grows past it (chunked) is cut off there. Either way the body future fails with
 * {@link ResponseTooLargeException} and the subscription is cancelled, which closes the connection.
 */
final class CappedBodyHandler implements HttpResponse.BodyHandler<byte[]> {
    private final long limit;

    /** @param limit the most bytes to read */
    public CappedBodyHandler(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, got " + limit);
        }
        this.limit = limit;
    }

    @Override
    public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
        OptionalLong announced = info.headers().firstValueAsLong("content-length");
        return new Capped(limit, announced.orElse(-1));
    }

    private static final class Capped implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final long announced;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;
        private long received;

        Capped(long limit, long announced) {
            this.limit = limit;
            this.announced = announced;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (announced > limit) {
                s.cancel();
                result.completeExceptionally(new ResponseTooLargeException(limit, announced));
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                received += b.remaining();
                if (received > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new ResponseTooLargeException(limit, received));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }
    }
}
