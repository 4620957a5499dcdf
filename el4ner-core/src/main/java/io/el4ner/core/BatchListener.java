package io.el4ner.core;

/**
 * Receives a batch's results as they are ready, in input order, on the thread that called
 * {@link EnsembleNer#recognizeBatch}.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface BatchListener {
    /** @param item the next text's result or failure */
    void onResult(BatchItem item);

    /** @param progress progress after each delivered item; does nothing by default */
    default void onProgress(BatchProgress progress) {
    }
}
