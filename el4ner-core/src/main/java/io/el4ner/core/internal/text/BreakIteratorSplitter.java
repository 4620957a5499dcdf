package io.el4ner.core.internal.text;

import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SentenceSplitter;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits with {@link BreakIterator#getSentenceInstance(Locale)}; ranges are trimmed of surrounding whitespace. */
public final class BreakIteratorSplitter implements SentenceSplitter {
    private final Locale locale;

    /** @param locale the language's locale */
    public BreakIteratorSplitter(Locale locale) {
        this.locale = locale;
    }

    @Override
    public List<TextRange> split(String text) {
        BreakIterator it = BreakIterator.getSentenceInstance(locale);
        it.setText(text);
        List<TextRange> out = new ArrayList<>();
        int start = it.first();
        for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
            int s = start;
            int e = end;
            while (s < e && Character.isWhitespace(text.charAt(s))) {
                s++;
            }
            while (e > s && Character.isWhitespace(text.charAt(e - 1))) {
                e--;
            }
            if (e > s) {
                out.add(new TextRange(s, e));
            }
        }
        return out;
    }
}
