package io.el4ner.hub.internal;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads nothing of a body that is not wanted (a redirect's, an error's): cancels it at once, which closes the
 * connection, so a body that never ends costs nothing.
 */
final class Discard implements HttpResponse.BodySubscriber<Void> {
    private final CompletableFuture<Void> result = new CompletableFuture<>();

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.cancel();
        result.complete(null);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        // cancelled: nothing more is wanted
    }

    @Override
    public void onError(Throwable throwable) {
        result.complete(null);
    }

    @Override
    public void onComplete() {
        result.complete(null);
    }

    @Override
    public CompletionStage<Void> getBody() {
        return result;
    }
}
