package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnglishSpanWeigherTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "Paris|4", "Angela Merkel|4", "The Bush administration|4", "iPhone|4", "NATO|4", "US|4", "IT|4",
        "trial lawyers|2", "the company|2", "his company|2", "Straße|4", "東京|2",
        "their|1", "he|1", "It|1", "I|1", "these|1",
        "1996|0", "the|0", "%|0", "'s|2"})
    void weight_followsTheReferenceClassesWithoutATagger(String span, double expected) {
        assertThat(EnglishSpanWeigher.DEFAULT.weight(span)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"Berlin,10", "lawyers,5", "she,0"})
    void weight_usesTheConfiguredValues(String span, double expected) {
        assertThat(new EnglishSpanWeigher(10, 5, 0).weight(span)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"-1,2,1", "4,NaN,1", "4,2,Infinity"})
    void constructor_rejectsNegativeOrNonFiniteWeights(double a, double b, double c) {
        assertThatThrownBy(() -> new EnglishSpanWeigher(a, b, c)).isInstanceOf(IllegalArgumentException.class);
    }
}
