package io.el4ner.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.el4ner.api.AnswerContract.ArrayShape;
import io.el4ner.api.AnswerContract.BooleanShape;
import io.el4ner.api.AnswerContract.Field;
import io.el4ner.api.AnswerContract.ObjectShape;
import io.el4ner.api.AnswerContract.StringRule;
import io.el4ner.api.AnswerContract.StringShape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AnswerContractTest {
    private static final List<EntityType> TYPES = List.of(EntityType.of("PER"), EntityType.of("LOC"),
            EntityType.of("a \"q\" \\ type"), EntityType.of("PER"));
    private static final String SENTENCE = "Angela \"Merkel\" visited Paris\\Texas.";

    private static AnswerContract contract(Stage stage, List<EntityType> types, List<String> spans,
                                           List<TypedSpan> typed) {
        return AnswerContract.of(new TaskContext(stage, SENTENCE, types, List.of(), spans, typed));
    }

    /** The schemas the HTTP member sent before the contract existed (StageSchemas, serialized by Jackson). */
    @Test
    void jsonSchema_isWhatTheHttpMemberSentBefore() {
        assertThat(contract(Stage.PRE_EXTRACTION, TYPES, List.of(), List.of()).jsonSchema()).isEqualTo(
                "{\"type\":\"object\",\"properties\":{\"entities\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
                        + "\"required\":[\"entities\"],\"additionalProperties\":false}");
        assertThat(contract(Stage.EXTRACTION, TYPES, List.of(), List.of()).jsonSchema())
                .isEqualTo(contract(Stage.PRE_EXTRACTION, TYPES, List.of(), List.of()).jsonSchema());
        assertThat(contract(Stage.CLASSIFICATION, TYPES, List.of("Angela \"Merkel\"", "Paris", "Paris"), List.of())
                .jsonSchema()).isEqualTo("{\"type\":\"object\",\"properties\":{\"labels\":{\"type\":\"array\",\"items\":"
                        + "{\"type\":\"object\",\"properties\":{\"span\":{\"type\":\"string\",\"enum\":[\"Angela \\\"Merkel\\\"\","
                        + "\"Paris\"]},\"type\":{\"type\":\"string\",\"enum\":[\"PER\",\"LOC\",\"a \\\"q\\\" \\\\ type\",\"NONE\"]}},"
                        + "\"required\":[\"span\",\"type\"],\"additionalProperties\":false}}},\"required\":[\"labels\"],"
                        + "\"additionalProperties\":false}");
        assertThat(contract(Stage.CLASSIFICATION, List.of(), List.of(), List.of()).jsonSchema()).isEqualTo(
                "{\"type\":\"object\",\"properties\":{\"labels\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
                        + "\"properties\":{\"span\":{\"type\":\"string\"},\"type\":{\"type\":\"string\",\"enum\":[\"NONE\"]}},"
                        + "\"required\":[\"span\",\"type\"],\"additionalProperties\":false}}},\"required\":[\"labels\"],"
                        + "\"additionalProperties\":false}");
        assertThat(contract(Stage.VALIDATION, TYPES, List.of(), List.of(new TypedSpan("Paris", "LOC"),
                new TypedSpan("Paris", "PER"), new TypedSpan("\u00e9\ud83d\ude00\u0001", "LOC"))).jsonSchema())
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"verdicts\":{\"type\":\"array\",\"items\":{\"type\":"
                        + "\"object\",\"properties\":{\"span\":{\"type\":\"string\",\"enum\":[\"Paris\",\"\u00e9\ud83d\ude00"
                        + "\\u0001\"]},\"type\":{\"type\":\"string\",\"enum\":[\"PER\",\"LOC\",\"a \\\"q\\\" \\\\ type\"]},"
                        + "\"valid\":{\"type\":\"boolean\"}},\"required\":[\"span\",\"type\",\"valid\"],"
                        + "\"additionalProperties\":false}}},\"required\":[\"verdicts\"],\"additionalProperties\":false}");
        assertThat(contract(Stage.VALIDATION, List.of(), List.of(), List.of()).jsonSchema()).isEqualTo(
                "{\"type\":\"object\",\"properties\":{\"verdicts\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
                        + "\"properties\":{\"span\":{\"type\":\"string\"},\"type\":{\"type\":\"string\"},\"valid\":"
                        + "{\"type\":\"boolean\"}},\"required\":[\"span\",\"type\",\"valid\"],\"additionalProperties\":false}}},"
                        + "\"required\":[\"verdicts\"],\"additionalProperties\":false}");
    }

    @Test
    void jsonSchema_escapesControlsAndLoneSurrogates() {
        AnswerContract c = contract(Stage.VALIDATION, TYPES, List.of(),
                List.of(new TypedSpan("a\b\f\n\r\t\u001f\ud800z\udc00", "LOC")));
        assertThat(c.jsonSchema()).contains("\"enum\":[\"a\\b\\f\\n\\r\\t\\u001F\\uD800z\\uDC00\"]");
    }

    @Test
    void shape_perStage() {
        AnswerContract extraction = contract(Stage.EXTRACTION, TYPES, List.of(), List.of());
        assertThat(extraction.key()).isEqualTo("entities");
        assertThat(extraction.name()).isEqualTo("el4ner_extraction");
        assertThat(extraction.sentence()).isEqualTo(SENTENCE);
        assertThat(extraction.shape()).isEqualTo(new ObjectShape(List.of(
                new Field("entities", new ArrayShape(StringShape.substringOfSentence())))));

        AnswerContract classification = contract(Stage.CLASSIFICATION, TYPES, List.of("Paris", "Paris"), List.of());
        assertThat(classification.shape()).isEqualTo(new ObjectShape(List.of(new Field("labels", new ArrayShape(
                new ObjectShape(List.of(new Field("span", StringShape.oneOf(List.of("Paris"))),
                        new Field("type", StringShape.oneOf(List.of("PER", "LOC", "a \"q\" \\ type", "NONE"))))))))));

        AnswerContract validation = contract(Stage.VALIDATION, TYPES, List.of(), List.of(new TypedSpan("Paris", "LOC")));
        assertThat(validation.key()).isEqualTo("verdicts");
        assertThat(validation.shape()).isEqualTo(new ObjectShape(List.of(new Field("verdicts", new ArrayShape(
                new ObjectShape(List.of(new Field("span", StringShape.oneOf(List.of("Paris"))),
                        new Field("type", StringShape.oneOf(List.of("PER", "LOC", "a \"q\" \\ type"))),
                        new Field("valid", BooleanShape.INSTANCE))))))));
        assertThat(validation).isEqualTo(contract(Stage.VALIDATION, TYPES, List.of(),
                List.of(new TypedSpan("Paris", "LOC")))).hasSameHashCodeAs(contract(Stage.VALIDATION, TYPES,
                List.of(), List.of(new TypedSpan("Paris", "LOC"))));
        assertThat(validation.toString()).contains("el4ner_validation");

        // nothing asked about: the span is a substring of the sentence
        StringShape span = (StringShape) ((ObjectShape) ((ArrayShape) contract(Stage.CLASSIFICATION, TYPES,
                List.of(), List.of()).shape().fields().get(0).value()).items()).fields().get(0).value();
        assertThat(span.rule()).isEqualTo(StringRule.SUBSTRING_OF_SENTENCE);
        assertThat(AnswerContract.key(Stage.PRE_EXTRACTION)).isEqualTo("entities");
        assertThat(AnswerContract.key(Stage.CLASSIFICATION)).isEqualTo("labels");
    }

    @Test
    void shapes_rejectWhatCannotBeAnswered() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ObjectShape(List.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> new ObjectShape(List.of(
                new Field("a", BooleanShape.INSTANCE), new Field("a", BooleanShape.INSTANCE))));
        assertThatIllegalArgumentException().isThrownBy(() -> new StringShape(StringRule.ONE_OF, List.of("a", "a")));
        assertThatIllegalArgumentException().isThrownBy(
                () -> new StringShape(StringRule.SUBSTRING_OF_SENTENCE, List.of("a")));
        assertThatNullPointerException().isThrownBy(() -> new ArrayShape(null));
        assertThatNullPointerException().isThrownBy(() -> AnswerContract.of(null));
        assertThat(StringShape.oneOf(List.of("b", "a", "b")).values()).containsExactly("b", "a");
    }

    @Test
    void allows_substringsThatStartAndEndOnNonSpaceCodePoints() {
        StringShape s = StringShape.substringOfSentence();
        String sentence = "a \ud83d\ude00 b\u00a0c";
        assertThat(s.allows("a", sentence)).isTrue();
        assertThat(s.allows("\ud83d\ude00", sentence)).isTrue();
        assertThat(s.allows("\ud83d", sentence)).isFalse();
        assertThat(s.allows("\ude00 b", sentence)).isFalse();
        assertThat(s.allows("a ", sentence)).isFalse();
        assertThat(s.allows(" b", sentence)).isFalse();
        assertThat(s.allows("b\u00a0c", sentence)).isTrue();
        assertThat(s.allows("b\u00a0", sentence)).isFalse();
        assertThat(s.allows("", sentence)).isFalse();
        assertThat(s.allows("x", sentence)).isFalse();
        assertThat(StringShape.oneOf(List.of("x")).allows("x", sentence)).isTrue();
        assertThat(StringShape.oneOf(List.of()).allows("", sentence)).isFalse();
        // a later occurrence counts when the first is not on a boundary
        assertThat(s.allows("b", "\ud83d\ude00b")).isTrue();
    }

    /** allows agrees with its definition on every substring of random sentences. */
    @Test
    void allows_agreesWithTheDefinition() {
        SplittableRandom random = new SplittableRandom(13);
        String alphabet = "ab \u00a0\t\ud83d\ude00\u0301\"\\";
        for (int round = 0; round < 300; round++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(12);
            for (int i = 0; i < n; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String sentence = b.toString();
            for (int i = 0; i <= n; i++) {
                for (int j = i; j <= n; j++) {
                    String v = sentence.substring(i, j);
                    boolean somewhere = false;
                    for (int k = 0; k + v.length() <= n; k++) {
                        if (sentence.startsWith(v, k) && !v.isEmpty() && Graphemes.isSpanBoundary(sentence, k)
                                && Graphemes.isSpanBoundary(sentence, k + v.length())
                                && !Character.isWhitespace(v.codePointAt(0)) && !Character.isSpaceChar(v.codePointAt(0))
                                && !Character.isWhitespace(v.codePointBefore(v.length()))
                                && !Character.isSpaceChar(v.codePointBefore(v.length()))) {
                            somewhere = true;
                        }
                    }
                    assertThat(StringShape.substringOfSentence().allows(v, sentence))
                            .as("'%s' in '%s'", v, sentence).isEqualTo(somewhere);
                }
            }
        }
    }

    @Test
    void allows_onlySubstringsBetweenSpanBoundaries() {
        StringShape span = StringShape.substringOfSentence();
        String s = "Parisian Paris, Cafe\u0301 and 北京 with 👩\u200d👩\u200d👧.";
        assertThat(span.allows("Paris", s)).isTrue();
        assertThat(span.allows("Parisian Paris", s)).isTrue();
        assertThat(span.allows("aris", s)).as("inside a word").isFalse();
        assertThat(span.allows("Parisia", s)).isFalse();
        assertThat(span.allows("Cafe", s)).as("before a combining mark").isFalse();
        assertThat(span.allows("Cafe\u0301", s)).isTrue();
        assertThat(span.allows("北", s)).as("a script without spaces").isTrue();
        assertThat(span.allows("京", s)).isTrue();
        assertThat(span.allows("👩", s)).as("inside an emoji sequence").isFalse();
        assertThat(span.allows("👩\u200d👩\u200d👧", s)).isTrue();
        assertThat(span.allows(",", s)).isTrue();
        assertThat(span.allows("Paris ", s)).isFalse();
    }
}
