package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.TextRange;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConllSentenceTest {
    // non-ASCII: a combining-free umlaut, a CJK word, an emoji outside the BMP (two UTF-16 units)
    private static final ConllSentence SENTENCE = new ConllSentence("s", List.of("Jürgen", "Müller", "flog",
            "nach", "東京", "😀", "New", "York", "."), List.of("B-PER", "I-PER", "O", "O", "B-LOC", "O", "B-LOC",
            "I-LOC", "O"));

    @Test
    void text_tokens_rebuiltWithExactTokenOffsets() {
        assertThat(SENTENCE.text()).isEqualTo("Jürgen Müller flog nach 東京 😀 New York .");
        assertThat(SENTENCE.size()).isEqualTo(9);
        for (int i = 0; i < SENTENCE.size(); i++) {
            assertThat(SENTENCE.text().substring(SENTENCE.tokenStart(i), SENTENCE.tokenEnd(i)))
                    .isEqualTo(SENTENCE.tokens().get(i));
        }
        assertThat(SENTENCE.tokenRange(4)).isEqualTo(new TextRange(24, 26));
        assertThat(SENTENCE.tokenRange(5)).isEqualTo(new TextRange(27, 29)); // surrogate pair: 2 UTF-16 units
        assertThat(SENTENCE.tokenStart(6)).isEqualTo(30);
    }

    @Test
    void toCharSpan_tokenSpan_mapsToCharactersAndBack() {
        assertThat(SENTENCE.spans()).containsExactly(new TokenSpan(0, 2, "PER"), new TokenSpan(4, 5, "LOC"),
                new TokenSpan(6, 8, "LOC"));
        Demonstration d = SENTENCE.toDemonstration();
        assertThat(d.text()).isEqualTo(SENTENCE.text());
        assertThat(d.spans()).extracting(d::surface).containsExactly("Jürgen Müller", "東京", "New York");
        for (LabeledSpan s : d.spans()) {
            assertThat(SENTENCE.toTokenSpan(s).map(SENTENCE::toCharSpan)).contains(s);
        }
        assertThat(SENTENCE.tagsFor(d.spans(), Scheme.IOB2)).isEqualTo(SENTENCE.tags());
        assertThat(SENTENCE.tagsFor(d.spans(), Scheme.BIOES)).containsExactly("B-PER", "E-PER", "O", "O", "S-LOC",
                "O", "B-LOC", "E-LOC", "O");
        assertThat(SENTENCE.tagsFor(List.of(), Scheme.IOB1)).containsOnly("O");
    }

    @Test
    void toTokenSpan_misalignedCharacterSpan_isNeverShifted() {
        assertThat(SENTENCE.toTokenSpan(new LabeledSpan(1, 6, "PER"))).isEmpty(); // starts inside a token
        assertThat(SENTENCE.toTokenSpan(new LabeledSpan(0, 5, "PER"))).isEmpty(); // ends inside a token
        assertThat(SENTENCE.toTokenSpan(new LabeledSpan(6, 13, "PER"))).isEmpty(); // starts at the space
        assertThat(SENTENCE.toTokenSpan(new LabeledSpan(0, 7, "PER"))).isEmpty(); // ends after the space
        assertThat(SENTENCE.toTokenSpan(new LabeledSpan(27, 28, "X"))).isEmpty(); // half a surrogate pair
        assertThat(SENTENCE.toTokenSpan(new LabeledSpan(30, 99, "LOC"))).isEmpty(); // past the end
        assertThat(SENTENCE.toTokenSpan(new LabeledSpan(27, 29, "X"))).contains(new TokenSpan(5, 6, "X"));
        assertThatThrownBy(() -> SENTENCE.tagsFor(List.of(new LabeledSpan(31, 38, "LOC")), Scheme.IOB2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[31, 38) LOC 'ew York'").hasMessageContaining("token boundaries");
        assertThatThrownBy(() -> SENTENCE.tagsFor(List.of(new LabeledSpan(0, 13, "PER"),
                new LabeledSpan(7, 13, "PER")), Scheme.IOB2)).hasMessageContaining("overlap");
    }

    @Test
    void constructor_badParts_throwIae() {
        assertThatThrownBy(() -> new ConllSentence("x", List.of("a", ""), List.of("O", "O")))
                .hasMessageContaining("token 1 is empty");
        assertThatThrownBy(() -> new ConllSentence("x", List.of("a"), List.of("O", "O")))
                .hasMessageContaining("1 tokens but 2 tags");
        ConllSentence empty = new ConllSentence("e", List.of(), List.of());
        assertThat(empty.text()).isEmpty();
        assertThat(empty.toDemonstration().spans()).isEmpty();
        ConllSentence bioes = SENTENCE.withTags(Scheme.convert(SENTENCE.tags(), Scheme.BIOES));
        assertThat(bioes.spans()).isEqualTo(SENTENCE.spans());
        assertThat(bioes).isNotEqualTo(SENTENCE).isEqualTo(bioes.withTags(bioes.tags()));
    }
}
