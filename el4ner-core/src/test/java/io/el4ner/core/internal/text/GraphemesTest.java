package io.el4ner.core.internal.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Graphemes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 12: a span must not begin or end inside a visible character. The boundaries are written out,
 * so the test fails on any JDK whose answers differ (run it on 17 and on 25).
 */
class GraphemesTest {
    static final String ZWJ = "\u200d";
    static final String WOMAN = "👩";
    static final String GIRL = "👧";
    static final String FAMILY = WOMAN + ZWJ + WOMAN + ZWJ + GIRL;

    /** The boundaries strictly inside the text, in UTF-16 indices. */
    static List<Integer> boundaries(String s) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i < s.length(); i++) {
            if (Graphemes.isBoundary(s, i)) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void boundaries_areTheSameOnEveryJdk() {
        assertThat(boundaries("ab")).containsExactly(1);
        assertThat(boundaries(FAMILY)).isEmpty();
        assertThat(boundaries(FAMILY + "x")).containsExactly(FAMILY.length());
        assertThat(boundaries("e\u0301x")).containsExactly(2); // combining acute
        assertThat(boundaries("👍🏽x")).containsExactly(4); // skin-tone modifier
        assertThat(boundaries("❤\ufe0fx")).containsExactly(2); // variation selector
        assertThat(boundaries("🇫🇷🇩🇪")).containsExactly(4); // two flags: the middle only
        assertThat(boundaries("🇫🇷🇩")).containsExactly(4);
        String england = "🏴\udb40\udc67\udb40\udc62\udb40\udc65\udb40\udc6e\udb40\udc67\udb40\udc7f"; // tags
        assertThat(boundaries(england + "x")).containsExactly(england.length());
        assertThat(boundaries("\u1100\u1161\u11a8\u1100")).containsExactly(3); // conjoining jamo: 각 then ᄀ
        assertThat(boundaries("\r\nx")).containsExactly(2);
        assertThat(boundaries("a\u200bb")).containsExactly(1, 2); // a format character is a control: breaks
        assertThat(boundaries("\u0600\u0661x")).containsExactly(2); // prepended number sign
        assertThat(boundaries("x" + ZWJ + "y")).isEmpty(); // stricter than UAX #29: never after a joiner
        assertThat(boundaries("\ud835x")).containsExactly(1); // a lone surrogate is a control
        assertThat(boundaries("क्\u200dष")).isEmpty(); // virama, joiner
    }

    @Test
    void next_endsTheVisibleCharacter() {
        assertThat(Graphemes.next(FAMILY + " a", 0)).isEqualTo(FAMILY.length());
        assertThat(Graphemes.next("e\u0301x", 0)).isEqualTo(2);
        assertThat(Graphemes.next("x", 0)).isEqualTo(1);
    }

    @Test
    void find_spanCuttingAVisibleCharacter_isDropped() {
        String s = "We met " + FAMILY + " and 👍🏽 Bob in 🇫🇷🇩🇪 land, I ❤\ufe0f it";
        assertThat(SpanAnchor.find(s, WOMAN + ZWJ)).isEmpty(); // issue 10's case
        assertThat(SpanAnchor.find(s, WOMAN)).isEmpty();
        assertThat(SpanAnchor.find(s, WOMAN + ZWJ + WOMAN)).isEmpty();
        assertThat(SpanAnchor.find(s, ZWJ + GIRL)).isEmpty();
        assertThat(SpanAnchor.find(s, GIRL)).isEmpty();
        assertThat(SpanAnchor.find(s, FAMILY)).hasSize(1);
        assertThat(SpanAnchor.find(s, "👍")).isEmpty();
        assertThat(SpanAnchor.find(s, "🇷🇩")).isEmpty(); // the second half of one flag and the first of the next
        assertThat(SpanAnchor.find(s, "🇩🇪")).hasSize(1);
        assertThat(SpanAnchor.find(s, "❤")).isEmpty();
        assertThat(SpanAnchor.find(s, "Bob")).hasSize(1);
        for (String candidate : List.of(FAMILY, "🇩🇪", "Bob", "👍🏽 Bob")) {
            SpanAnchor.find(s, candidate).forEach(r -> {
                assertThat(Graphemes.isBoundary(s, r.start())).isTrue();
                assertThat(Graphemes.isBoundary(s, r.end())).isTrue();
            });
        }
    }

    @Test
    void boundaries_randomStrings_agreeWithIsBoundaryAtEachIndex() {
        String[] pieces = {"a", "B", " ", "\u0301", ZWJ, "\u200c", "🇫", "🇷", "🇩", "🇪", "👍", "🏽", "\ufe0f", "\r", "\n",
                "\u1100", "\u1161", "\u11a8", "가", "\u0600", "\udb40\udc67", "東", "\u00ad", "x"};
        java.util.Random random = new java.util.Random(10_12);
        for (int t = 0; t < 3_000; t++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(12); k >= 0; k--) {
                b.append(pieces[random.nextInt(pieces.length)]);
            }
            String s = b.toString();
            boolean[] all = Graphemes.boundaries(s);
            for (int i = 0; i <= s.length(); i++) {
                boolean inPair = i > 0 && i < s.length() && Character.isHighSurrogate(s.charAt(i - 1))
                        && Character.isLowSurrogate(s.charAt(i));
                assertThat(all[i]).as("index %d of %s", i, s).isEqualTo(!inPair && Graphemes.isBoundary(s, i));
            }
        }
    }

    @Test
    void boundaries_longRunOfFlags_pairsFromItsStart() {
        String flags = "🇫🇷".repeat(20_000) + "🇩";
        boolean[] all = Graphemes.boundaries(flags);
        for (int i = 0; i <= flags.length(); i++) {
            assertThat(all[i]).as("index %d", i).isEqualTo(i % 4 == 0 || i == flags.length());
        }
        assertThat(SpanAnchor.find(flags, "🇷🇫")).isEmpty();
        assertThat(SpanAnchor.find(flags, "🇫🇷")).hasSize(20_000);
    }
}
