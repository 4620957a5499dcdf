package io.el4ner.core;

import io.el4ner.api.El4nerException;
import io.el4ner.api.NerResult;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome for one text of a batch: a result or the failure that prevented one. Nothing is dropped.
 *
 * @since 0.1
 */
public final class BatchItem {
    private final int index;
    private final String text;
    private final NerResult result;
    private final El4nerException failure;
    private final TracedResult traced;

    BatchItem(int index, String text, NerResult result, El4nerException failure) {
        this(index, text, result, failure, null);
    }

    BatchItem(int index, String text, NerResult result, El4nerException failure, TracedResult traced) {
        this.index = index;
        this.text = Objects.requireNonNull(text, "text");
        if ((result == null) == (failure == null)) {
            throw new IllegalArgumentException("a batch item has either a result or a failure");
        }
        this.result = result;
        this.failure = failure;
        this.traced = traced;
    }

    /** @return the result with its per-sentence traces, when the batch was traced and recognition succeeded */
    public Optional<TracedResult> traced() {
        return Optional.ofNullable(traced);
    }

    /** @return the text's position in the batch, from 0 */
    public int index() {
        return index;
    }

    /** @return the text ({@code ""} for a null text) */
    public String text() {
        return text;
    }

    /** @return the result, when recognition succeeded */
    public Optional<NerResult> result() {
        return Optional.ofNullable(result);
    }

    /** @return the failure, when recognition failed */
    public Optional<El4nerException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String toString() {
        return "BatchItem[" + index + ", " + (result != null ? result.entities().size() + " entities"
                : "failed: " + failure.getMessage()) + "]";
    }
}
