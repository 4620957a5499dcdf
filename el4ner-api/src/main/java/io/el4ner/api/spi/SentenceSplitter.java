package io.el4ner.api.spi;

import io.el4ner.api.TextRange;
import java.util.List;

/**
 * Splits a text into sentences, each recognised on its own. Thread-safe.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface SentenceSplitter {
    /**
     * @param text a non-empty text
     * @return ranges of the sentences, in order, not overlapping; characters outside every range (whitespace
     *     between sentences) are not recognised, so the ranges must cover every non-whitespace character
     */
    List<TextRange> split(String text);

    /**
     * A splitter that keeps the whole text as one sentence: for input that is already one sentence, such as the
     * gold sentences of an evaluation (splitting them again would make the predictions incomparable).
     *
     * @return the splitter
     */
    static SentenceSplitter wholeText() {
        return text -> List.of(new TextRange(0, text.length()));
    }
}
