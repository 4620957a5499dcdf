package io.el4ner.core.internal.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.El4nerException;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SentenceSplitter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class SentencesTest {
    @Test
    void split_breakIterator_returnsNonEmptySentencesInOrder() {
        String text = "Paris is big. Rome is old.";

        List<TextRange> sentences = Sentences.split(new BreakIteratorSplitter(Locale.ROOT), text);

        assertThat(sentences).extracting(r -> text.substring(r.start(), r.end()).strip())
                .containsExactly("Paris is big.", "Rome is old.");
    }

    @Test
    void split_splitterLeavesOutAWord_throws() {
        SentenceSplitter lossy = text -> List.of(new TextRange(0, 5));

        assertThatThrownBy(() -> Sentences.split(lossy, "Paris is big."))
                .isInstanceOf(El4nerException.class)
                .hasMessageContaining("left out non-whitespace text at index 6");
    }

    @Test
    void split_overlappingSentences_throws() {
        SentenceSplitter overlapping = text -> List.of(new TextRange(0, 8), new TextRange(5, 13));

        assertThatThrownBy(() -> Sentences.split(overlapping, "Paris is big."))
                .isInstanceOf(El4nerException.class)
                .hasMessageContaining("overlapping or out-of-range");
    }
}
