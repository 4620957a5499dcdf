package io.el4ner.core.internal.retrieval;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The two {@link Parallel}s the scan tests run on, closed after their test class. */
final class TestParallels implements AfterAllCallback {
    private final Parallel one = new Parallel(1);
    /** Splits even tiny scans, to exercise the merge. */
    private final Parallel four = new Parallel(4, 1);

    /** @return one thread: every scan on the calling thread */
    Parallel one() {
        return one;
    }

    /** @return four threads, splitting even tiny scans */
    Parallel four() {
        return four;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        one.close();
        four.close();
    }
}
