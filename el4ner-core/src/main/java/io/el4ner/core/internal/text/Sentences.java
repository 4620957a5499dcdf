package io.el4ner.core.internal.text;

import io.el4ner.api.El4nerException;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SentenceSplitter;
import java.util.List;

/**
 * Splits a text with a {@link SentenceSplitter} and holds the splitter to its contract: sentences in order, inside
 * the text, together covering every word (only whitespace may fall between them).
 */
public final class Sentences {
    private Sentences() {
    }

    /**
     * @param splitter the splitter
     * @param text the text
     * @return its non-empty sentences, in order
     * @throws El4nerException when the splitter breaks its contract
     */
    public static List<TextRange> split(SentenceSplitter splitter, String text) {
        List<TextRange> ranges = splitter.split(text);
        int last = 0;
        for (TextRange r : ranges) {
            if (r.start() < last || r.end() > text.length()) {
                throw new El4nerException("sentence splitter " + splitter.getClass().getName()
                        + " returned overlapping or out-of-range sentences: " + ranges);
            }
            requireWhitespace(splitter, text, last, r.start());
            last = r.end();
        }
        requireWhitespace(splitter, text, last, text.length());
        return ranges.stream().filter(r -> r.length() > 0).toList();
    }

    private static void requireWhitespace(SentenceSplitter splitter, String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                throw new El4nerException("sentence splitter " + splitter.getClass().getName()
                        + " left out non-whitespace text at index " + i + "; it must cover every word");
            }
        }
    }
}
