package io.el4ner.core.internal.pipeline;

import io.el4ner.api.Demonstration;
import io.el4ner.api.spi.Retriever;
import java.util.List;
import java.util.Optional;

/** Stage 2: the retriever picks k demonstrations from the labelled pool, guided by the pre-extracted spans. */
final class RetrievalStage {
    private final Optional<Retriever> retriever;
    private final int k;

    /**
     * @param retriever the retriever; empty runs zero-shot and skips pre-extraction
     * @param k demonstrations per sentence
     */
    RetrievalStage(Optional<Retriever> retriever, int k) {
        this.retriever = retriever;
        this.k = k;
    }

    /** @return whether there is anything to retrieve, and so whether pre-extraction runs at all */
    boolean enabled() {
        return retriever.isPresent() && k > 0;
    }

    /**
     * @param sentence the sentence
     * @param preSpans the pre-extracted span strings
     * @return the demonstrations to show; none when {@link #enabled()} is false
     */
    List<Demonstration> run(String sentence, List<String> preSpans) {
        if (!enabled()) {
            return List.of();
        }
        return List.copyOf(retriever.get().retrieve(sentence, preSpans, k));
    }
}
