package io.el4ner.core;

import io.el4ner.api.NerResult;
import java.util.List;
import java.util.Objects;

/**
 * A result with the trace of every sentence it was recognised in.
 *
 * @param result the result, as {@link EnsembleNer#recognize(String)} gives it
 * @param sentences one trace per sentence or window, in text order
 * @since 0.1
 */
public record TracedResult(NerResult result, List<SentenceTrace> sentences) {
    /** Copies the components. */
    public TracedResult {
        Objects.requireNonNull(result, "result");
        sentences = List.copyOf(sentences);
    }
}
