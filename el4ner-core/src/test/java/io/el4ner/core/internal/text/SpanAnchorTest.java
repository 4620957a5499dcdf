package io.el4ner.core.internal.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.TextRange;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanAnchorTest {

    private static List<String> found(String sentence, String candidate) {
        return SpanAnchor.find(sentence, candidate).stream().map(r -> sentence.substring(r.start(), r.end())).toList();
    }

    @Test
    void find_everyOccurrenceOnTokenBoundaries() {
        String s = "Paris is not Parisian, but Paris is Paris.";
        List<TextRange> r = SpanAnchor.find(s, "Paris");
        assertThat(r).containsExactly(new TextRange(0, 5), new TextRange(27, 32), new TextRange(36, 41));
    }

    @Test
    void find_neverInsideAWord() {
        assertThat(SpanAnchor.find("Parisian food", "Paris")).isEmpty();
        assertThat(SpanAnchor.find("the iPhone15 launch", "iPhone")).isEmpty();
    }

    @Test
    void find_fallsBackToCaseAndWhitespace() {
        assertThat(found("I love new york city", "New York")).containsExactly("new york");
        assertThat(found("I love New  York city", "New York")).containsExactly("New  York");
        assertThat(found("Then NEW YORK won", "New York")).containsExactly("NEW YORK");
    }

    @Test
    void find_exactMatchWinsOverCaseInsensitive() {
        assertThat(SpanAnchor.find("apple and Apple", "Apple")).containsExactly(new TextRange(10, 15));
    }

    @Test
    void find_stripsQuotesAndTrailingPunctuationTheSentenceLacks() {
        assertThat(found("She met Obama in Berlin.", "Berlin.")).containsExactly("Berlin.");
        assertThat(found("She met Obama in Berlin today", "Berlin.")).containsExactly("Berlin");
        assertThat(found("She met Obama in Berlin today", "\"Obama\"")).containsExactly("Obama");
    }

    @Test
    void find_nothingForInventedOrBlankSpans() {
        assertThat(SpanAnchor.find("She met Obama in Berlin", "Angela Merkel")).isEmpty();
        assertThat(SpanAnchor.find("She met Obama in Berlin", "  ")).isEmpty();
    }

    @Test
    void find_surrogatePairsAreNeverSplit() {
        String s = "I ❤️ 𝒳avier and 😀Bob";
        assertThat(found(s, "𝒳avier")).containsExactly("𝒳avier");
        assertThat(found(s, "Bob")).containsExactly("Bob");
        // a lone high surrogate from a broken answer cannot anchor inside a pair
        assertThat(SpanAnchor.find(s, "\uD835")).isEmpty();
        assertThat(SpanAnchor.find(s, "\uDCB3avier")).isEmpty();
    }

    @Test
    void find_combiningMarksStayWithTheirLetter() {
        String s = "Cafe\u0301 Noir opened"; // e + combining acute
        assertThat(SpanAnchor.find(s, "Cafe")).isEmpty();
        assertThat(found(s, "Cafe\u0301 Noir")).containsExactly("Cafe\u0301 Noir");
    }

    @Test
    void find_cjkWordsHaveNoSpaces() {
        String s = "习近平在北京会见了普京。";
        assertThat(found(s, "北京")).containsExactly("北京");
        assertThat(found(s, "普京")).containsExactly("普京");
        assertThat(SpanAnchor.find(s, "北京").get(0)).isEqualTo(new TextRange(4, 6));
    }

    @Test
    void find_rightToLeftText() {
        String s = "زار محمد القاهرة أمس";
        assertThat(found(s, "القاهرة")).containsExactly("القاهرة");
        assertThat(found("שלום ירושלים", "ירושלים")).containsExactly("ירושלים");
    }
}
