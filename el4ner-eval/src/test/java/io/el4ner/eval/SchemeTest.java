package io.el4ner.eval;

import static io.el4ner.eval.Scheme.BIOES;
import static io.el4ner.eval.Scheme.IOB1;
import static io.el4ner.eval.Scheme.IOB2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemeTest {
    private static List<String> tags(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split(" "));
    }

    private static TokenSpan span(int start, int end, String type) {
        return new TokenSpan(start, end, type);
    }

    // Three encodings of the same entities: PER [0,2), PER [2,3) (adjacent, same type), LOC [4,5), ORG [5,8).
    private static final List<TokenSpan> SPANS = List.of(span(0, 2, "PER"), span(2, 3, "PER"), span(4, 5, "LOC"),
            span(5, 8, "ORG"));
    private static final List<String> AS_IOB1 = tags("I-PER I-PER B-PER O I-LOC I-ORG I-ORG I-ORG O");
    private static final List<String> AS_IOB2 = tags("B-PER I-PER B-PER O B-LOC B-ORG I-ORG I-ORG O");
    private static final List<String> AS_BIOES = tags("B-PER E-PER S-PER O S-LOC B-ORG I-ORG E-ORG O");

    @Test
    void decode_eachScheme_givesTheSameEntities() {
        assertThat(Scheme.decode(AS_IOB1)).isEqualTo(SPANS);
        assertThat(Scheme.decode(AS_IOB2)).isEqualTo(SPANS);
        assertThat(Scheme.decode(AS_BIOES)).isEqualTo(SPANS);
        assertThat(IOB1.decodeStrict(AS_IOB1)).isEqualTo(SPANS);
        assertThat(IOB2.decodeStrict(AS_IOB2)).isEqualTo(SPANS);
        assertThat(BIOES.decodeStrict(AS_BIOES)).isEqualTo(SPANS);
        assertThat(Scheme.decode(List.of())).isEmpty();
    }

    @Test
    void encode_eachScheme_givesItsTags() {
        assertThat(IOB1.encode(9, SPANS)).isEqualTo(AS_IOB1);
        assertThat(IOB2.encode(9, SPANS)).isEqualTo(AS_IOB2);
        assertThat(BIOES.encode(9, SPANS)).isEqualTo(AS_BIOES);
        // IOB1 B- only between adjacent entities of the same type, not after a different type or a gap
        assertThat(IOB1.encode(4, List.of(span(0, 1, "PER"), span(1, 2, "LOC"), span(3, 4, "LOC"))))
                .containsExactly("I-PER", "I-LOC", "O", "I-LOC");
        assertThat(IOB2.encode(3, List.of())).containsExactly("O", "O", "O");
    }

    @Test
    void convert_betweenAllSchemes_roundTrips() {
        assertThat(Scheme.convert(AS_IOB1, IOB2)).isEqualTo(AS_IOB2);
        assertThat(Scheme.convert(AS_IOB2, BIOES)).isEqualTo(AS_BIOES);
        assertThat(Scheme.convert(AS_BIOES, IOB1)).isEqualTo(AS_IOB1);
        assertThat(Scheme.convert(AS_IOB2, IOB1)).isEqualTo(AS_IOB1);
        assertThat(Scheme.convert(AS_IOB1, BIOES)).isEqualTo(AS_BIOES);
        assertThat(Scheme.convert(AS_BIOES, IOB2)).isEqualTo(AS_IOB2);
        for (List<String> t : List.of(AS_IOB1, AS_IOB2, AS_BIOES)) {
            for (Scheme s : Scheme.values()) {
                assertThat(Scheme.convert(Scheme.convert(t, s), Scheme.BIOES)).isEqualTo(AS_BIOES);
            }
        }
    }

    @Test
    void decode_inconsistentSequences_likeConlleval() {
        // I- after O starts an entity; a change of type starts a new one; B- always starts one
        assertThat(Scheme.decode(tags("O I-PER I-LOC B-LOC I-LOC"))).containsExactly(span(1, 2, "PER"),
                span(2, 3, "LOC"), span(3, 5, "LOC"));
        // E- and S- close; I- after E- starts a new entity; an unclosed BIOES entity runs to the end
        assertThat(Scheme.decode(tags("E-PER I-PER S-PER I-PER B-ORG I-ORG"))).containsExactly(span(0, 1, "PER"),
                span(1, 2, "PER"), span(2, 3, "PER"), span(3, 4, "PER"), span(4, 6, "ORG"));
        // types are compared exactly, and may hold dashes
        assertThat(Scheme.decode(tags("B-creative-work I-creative-work I-Creative-work")))
                .containsExactly(span(0, 2, "creative-work"), span(2, 3, "Creative-work"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-PER", "PER", "b-PER", "B-", "B- ", "o", "BPER", "U-PER", ""})
    void rejectsMalformedTagsInEveryMode(String bad) {
        List<String> t = List.of("O", bad);
        assertThat(Scheme.isWellFormed(bad)).isFalse();
        assertThatThrownBy(() -> Scheme.decode(t)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tag 1: '" + bad + "' is not a tag");
        for (Scheme s : Scheme.values()) {
            assertThatThrownBy(() -> s.decodeStrict(t)).hasMessageContaining("is not a tag");
        }
    }

    @Test
    void decodeStrict_eachScheme_enforcesItsRules() {
        assertThatThrownBy(() -> IOB2.decodeStrict(tags("O I-PER"))).hasMessageContaining("tag 1:")
                .hasMessageContaining("starts with B-");
        assertThatThrownBy(() -> IOB2.decodeStrict(tags("B-PER I-LOC"))).hasMessageContaining("tag 1:");
        assertThatThrownBy(() -> IOB2.decodeStrict(tags("S-PER"))).hasMessageContaining("belong to BIOES");
        assertThatThrownBy(() -> IOB1.decodeStrict(tags("B-PER"))).hasMessageContaining("tag 0:");
        assertThatThrownBy(() -> IOB1.decodeStrict(tags("I-LOC B-PER"))).hasMessageContaining("tag 1:");
        assertThatThrownBy(() -> IOB1.decodeStrict(tags("I-PER E-PER"))).hasMessageContaining("tag 1:");
        assertThat(IOB1.decodeStrict(tags("O I-PER B-PER"))).containsExactly(span(1, 2, "PER"), span(2, 3, "PER"));
        assertThatThrownBy(() -> BIOES.decodeStrict(tags("B-PER O"))).hasMessageContaining("tag 1:");
        assertThatThrownBy(() -> BIOES.decodeStrict(tags("O I-PER E-PER"))).hasMessageContaining("tag 1:");
        assertThatThrownBy(() -> BIOES.decodeStrict(tags("B-PER E-LOC"))).hasMessageContaining("tag 1:");
        assertThatThrownBy(() -> BIOES.decodeStrict(tags("S-PER B-PER"))).hasMessageContaining("tag 1:")
                .hasMessageContaining("ends the sentence");
        assertThatThrownBy(() -> BIOES.decodeStrict(tags("O E-PER"))).hasMessageContaining("tag 1:");
        // IOB2 is not valid BIOES and vice versa
        assertThatThrownBy(() -> BIOES.decodeStrict(AS_IOB2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IOB2.decodeStrict(AS_BIOES)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IOB1.decodeStrict(AS_IOB2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encode_overlapsOrSpansOutsideTheTokens_throwIae() {
        assertThatThrownBy(() -> IOB2.encode(5, List.of(span(0, 3, "A"), span(2, 4, "B"))))
                .hasMessageContaining("overlap");
        assertThatThrownBy(() -> IOB2.encode(2, List.of(span(1, 3, "A")))).hasMessageContaining("outside");
        assertThatThrownBy(() -> new TokenSpan(2, 2, "A")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parse_schemeNames_givesSchemes() {
        assertThat(Scheme.parse(" IOB1")).isEqualTo(IOB1);
        assertThat(Scheme.parse("bio")).isEqualTo(IOB2);
        assertThat(Scheme.parse("BILOU")).isEqualTo(BIOES);
        assertThatThrownBy(() -> Scheme.parse("iob3")).hasMessageContaining("use iob1, iob2 or bioes");
    }
}
