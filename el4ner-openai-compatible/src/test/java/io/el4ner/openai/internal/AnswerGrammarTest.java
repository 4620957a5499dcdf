package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.AnswerContract;
import io.el4ner.api.AnswerContract.StringShape;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TextRange;
import io.el4ner.api.TypedSpan;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The grammar of an answer contract, checked with a small GBNF recognizer ({@link Gbnf}): it is in the dialect both
 * llama.cpp and xgrammar accept, it accepts every answer of the stage's shape whose span strings are token-aligned
 * substrings of the sentence, and refuses invented spans, spans that cut a word, wrong types and broken JSON. The
 * recognizer itself is checked against llama.cpp's grammar matcher by hand ({@link GbnfCases},
 * {@code src/test/llama-cpp/README.md}).
 */
class AnswerGrammarTest {
    private static final List<EntityType> TYPES = List.of(EntityType.of("PER"), EntityType.of("LOC"));
    private static final String SENTENCE = "Angela Merkel visited Paris.";

    static AnswerContract extraction(String sentence) {
        return AnswerContract.of(new TaskContext(Stage.EXTRACTION, sentence, TYPES, List.of(), List.of(), List.of()));
    }

    static AnswerContract classification(String sentence, List<EntityType> types) {
        return AnswerContract.of(new TaskContext(Stage.CLASSIFICATION, sentence, types, List.of(), List.of(),
                List.of()));
    }

    private static Gbnf grammar(AnswerContract c) {
        return Gbnf.parse(AnswerGrammar.of(c));
    }

    static String entities(String... spans) {
        List<String> quoted = new ArrayList<>();
        for (String s : spans) {
            quoted.add(AnswerGrammar.jsonString(s));
        }
        return "{\"entities\": [" + String.join(", ", quoted) + "]}";
    }

    /* --- dialect --- */

    @Test
    void of_writesOnlyTheDialectBothServersAccept() {
        String sentence = "He said \"hi\" \\ then\tleft\u0001 \u2028 👩‍👩‍👧 東京 e\u0301 \uD800 end";
        List<AnswerContract> contracts = List.of(extraction(sentence), extraction(""),
                classification(sentence, List.of(EntityType.of("say \"hi\""), EntityType.of("back\\slash"))),
                AnswerContract.of(new TaskContext(Stage.VALIDATION, sentence, TYPES, List.of(), List.of(),
                        List.of(new TypedSpan("end", "PER")))));
        Pattern rule = Pattern.compile("([a-z][a-z0-9]*) ::= (.*)");
        for (AnswerContract c : contracts) {
            String g = AnswerGrammar.of(c);
            Set<String> names = new HashSet<>();
            for (String line : g.split("\n")) {
                Matcher m = rule.matcher(line);
                assertThat(m.matches()).as("rule line %s", line).isTrue();
                assertThat(names.add(m.group(1))).as("rule %s defined once", m.group(1)).isTrue();
                String body = m.group(2);
                assertThat(outsideLiterals(body)).as("no {m,n} repetition").doesNotContain("{");
                assertThat(body.chars().allMatch(ch -> ch >= 0x20 && ch != 0x7f)).as("printable: %s", line)
                        .isTrue();
                // Inside literals, a backslash escapes only a quote or a backslash.
                assertThat(literalEscapes(body)).isSubsetOf("\"", "\\");
            }
            assertThat(names).contains("root");
            assertThat(Gbnf.parse(g).size()).isEqualTo(names.size());
        }
    }

    /** The rule body without the contents of its string literals. */
    private static String outsideLiterals(String body) {
        return body.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
    }

    /** The characters that follow a backslash inside the string literals of a rule body. */
    private static Set<String> literalEscapes(String body) {
        Set<String> out = new HashSet<>();
        boolean inLiteral = false;
        boolean inClass = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (!inLiteral && c == '[') {
                inClass = true;
            } else if (inClass && c == ']') {
                inClass = false;
            } else if (!inClass && c == '"') {
                inLiteral = !inLiteral;
            } else if (inLiteral && c == '\\') {
                out.add(String.valueOf(body.charAt(++i)));
            }
        }
        return out;
    }

    @Test
    void of_growsLinearlyWithTheSentence() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            b.append("word").append(i).append(i % 7 == 0 ? ", " : " ");
        }
        String s400 = b.toString().strip();
        String s200 = s400.substring(0, s400.indexOf("word200")).strip();
        int small = AnswerGrammar.of(extraction(s200)).length();
        int large = AnswerGrammar.of(extraction(s400)).length();
        assertThat((double) large / small).isBetween(1.8, 2.3);
    }

    /* --- extraction --- */

    @Test
    void extraction_acceptsTokenAlignedSubstrings() {
        Gbnf g = grammar(extraction(SENTENCE));
        assertThat(g.accepts("{\"entities\":[]}")).isTrue();
        assertThat(g.accepts(entities("Angela Merkel", "Paris"))).isTrue();
        assertThat(g.accepts(entities("Paris."))).isTrue();
        assertThat(g.accepts(entities("."))).isTrue();
        assertThat(g.accepts(entities(SENTENCE))).isTrue();
        assertThat(g.accepts(entities("Merkel visited", "Merkel visited"))).as("repeats allowed").isTrue();
        assertThat(g.accepts("{\n  \"entities\" : [\n    \"Paris\"\n  ]\n}")).isTrue();
        assertThat(g.accepts("{\"entities\":[" + " ".repeat(AnswerGrammar.MAX_WHITESPACE) + "]}")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Berlin", "Merk", "ngela", "Merkel visit", " Paris", "Paris ", "angela merkel",
        "Angela  Merkel", "", "Paris.\"", "Angela Merkel visited Paris. "})
    void extraction_refusesSpansThatAreNotTokenAlignedSubstrings(String span) {
        assertThat(grammar(extraction(SENTENCE)).accepts(entities(span))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "{\"entities\":[]", "{\"entities\":[\"Paris\",]}", "{\"entities\":['Paris']}",
        "{\"entities\":\"Paris\"}", "{\"entities\":[\"Paris\"]} x", "{\"Entities\":[]}", "{\"entities\":[\"Paris\"]}\n",
        "{\"entities\":[],\"labels\":[]}", "[\"Paris\"]", "{\"entities\":[\"Paris\" \"Angela\"]}",
        "{\"entities\":[null]}", "{\"entities\":[\"Par\\u0069s\"]}", " {\"entities\":[]}"})
    void extraction_refusesBrokenOrOtherJson(String answer) {
        assertThat(grammar(extraction(SENTENCE)).accepts(answer)).isFalse();
    }

    @Test
    void extraction_boundsWhitespace() {
        Gbnf g = grammar(extraction(SENTENCE));
        assertThat(g.accepts("{\"entities\":[" + " ".repeat(AnswerGrammar.MAX_WHITESPACE + 1) + "]}")).isFalse();
        assertThat(g.accepts("{\"entities\":[\t\r\n\"Paris\"\n]}")).isTrue();
    }

    @Test
    void extraction_withoutTokensAdmitsOnlyTheEmptyList() {
        for (String s : List.of("", "   ", "\t\n")) {
            Gbnf g = grammar(extraction(s));
            assertThat(g.accepts("{\"entities\": []}")).as("sentence %s", s).isTrue();
            assertThat(g.accepts(entities(s))).isFalse();
            assertThat(g.accepts("{\"entities\": [\"\"]}")).isFalse();
        }
        // A lone combining mark is a whole sentence: the contract (and the anchoring) allow it, so the grammar does.
        assertThat(StringShape.substringOfSentence().allows("\u0301", "\u0301")).isTrue();
        assertThat(grammar(extraction("\u0301")).accepts(entities("\u0301"))).isTrue();
    }

    @Test
    void extraction_writesTheSentenceJsonEscaped() {
        String sentence = "He said \"no\" to C:\\dir\\x and\ttabs,\nnew lines\u0001 and \u2028 here";
        Gbnf g = grammar(extraction(sentence));
        assertThat(g.accepts("{\"entities\":[\"\\\"no\\\"\"]}")).isTrue();
        assertThat(g.accepts("{\"entities\":[\"C:\\\\dir\\\\x\"]}")).isTrue();
        assertThat(g.accepts("{\"entities\":[\"and\\ttabs\"]}")).isTrue();
        assertThat(g.accepts("{\"entities\":[\"tabs,\\nnew\"]}")).isTrue();
        assertThat(g.accepts("{\"entities\":[\"lines\\u0001\"]}")).isTrue();
        assertThat(g.accepts("{\"entities\":[\"and \\u2028 here\"]}")).isTrue();
        assertThat(g.accepts("{\"entities\":[\"\"no\"\"]}")).as("unescaped quotes").isFalse();
        assertThat(g.accepts("{\"entities\":[\"tabs,\nnew\"]}")).as("a raw line break").isFalse();
        assertThat(g.accepts("{\"entities\":[\"C:\\dir\"]}")).as("a lone backslash").isFalse();
    }

    @Test
    void spans_startAndEndOnlyOnSpanBoundaries() {
        String sentence = "Merkel's U.S.-based (EU) cafe\u0301 👩\u200d👩\u200d👧x 🇫🇷🇩🇪 東京に";
        Gbnf g = grammar(extraction(sentence));
        for (String ok : List.of("Merkel", "Merkel's", "'", "s", "U.S.-based", "based", "(EU)", "EU", "cafe\u0301",
                "👩\u200d👩\u200d👧", "x", "🇫🇷", "🇩🇪", "🇫🇷🇩🇪", "東", "京", "に", "東京に")) {
            assertThat(g.accepts(entities(ok))).as(ok).isTrue();
        }
        for (String no : List.of("Merk", "erkel", "cafe", "e\u0301", "👩", "👩\u200d", "\ud83c\uddeb", "🇷🇩",
                "Merkel ", " Merkel")) {
            assertThat(g.accepts(entities(no))).as(no).isFalse();
        }
    }

    /* --- classification, validation: types and booleans --- */

    @Test
    void classificationWithoutSpans_allowsOnlyTheTypesAndNone() {
        Gbnf g = grammar(classification(SENTENCE, TYPES));
        assertThat(g.accepts("{\"labels\":[{\"span\":\"Paris\",\"type\":\"LOC\"},{\"span\":\"Angela Merkel\","
                + "\"type\":\"NONE\"}]}")).isTrue();
        assertThat(g.accepts("{\"labels\":[{\"span\":\"Paris\",\"type\":\"ORG\"}]}")).isFalse();
        assertThat(g.accepts("{\"labels\":[{\"span\":\"Paris\",\"type\":\"loc\"}]}")).isFalse();
        assertThat(g.accepts("{\"labels\":[{\"type\":\"LOC\",\"span\":\"Paris\"}]}")).as("field order").isFalse();
        assertThat(g.accepts("{\"labels\":[{\"span\":\"Paris\"}]}")).as("a missing field").isFalse();
        assertThat(g.accepts("{\"labels\":[{\"span\":\"Pari\",\"type\":\"LOC\"}]}")).isFalse();
        assertThat(g.accepts("{\"labels\":[{\"span\":\"Paris\",\"type\":\"LOC\",\"x\":1}]}")).isFalse();
    }

    @Test
    void classification_typeNamesThatNeedEscapingAreWrittenAsJsonSpellsThem() {
        List<EntityType> odd = List.of(EntityType.of("say \"hi\""), EntityType.of("back\\slash"),
                EntityType.of("tab\there"), EntityType.of("ünï 😀"));
        Gbnf g = grammar(classification(SENTENCE, odd));
        for (EntityType t : odd) {
            assertThat(g.accepts("{\"labels\":[{\"span\":\"Paris\",\"type\":" + AnswerGrammar.jsonString(t.name())
                    + "}]}")).as(t.name()).isTrue();
        }
        assertThat(g.accepts("{\"labels\":[{\"span\":\"Paris\",\"type\":\"say \"hi\"\"}]}")).isFalse();
        assertThat(g.accepts("{\"labels\":[{\"span\":\"Paris\",\"type\":\"back\\slash\"}]}")).isFalse();
        assertThat(g.accepts("{\"labels\":[{\"span\":\"Paris\",\"type\":\"tab\there\"}]}")).as("raw tab").isFalse();
    }

    @Test
    void validation_allowsTheAskedSpansTypesAndBooleans() {
        AnswerContract c = AnswerContract.of(new TaskContext(Stage.VALIDATION, SENTENCE, TYPES, List.of(), List.of(),
                List.of(new TypedSpan("Paris", "LOC"), new TypedSpan("Angela Merkel", "PER"))));
        assertThat(AnswerGrammar.hasSubstringRule(c)).isFalse();
        Gbnf g = grammar(c);
        assertThat(g.accepts("{\"verdicts\":[{\"span\":\"Paris\",\"type\":\"LOC\",\"valid\":true},"
                + "{\"span\":\"Angela Merkel\",\"type\":\"PER\",\"valid\":false}]}")).isTrue();
        assertThat(g.accepts("{\"verdicts\":[{\"span\":\"Paris\",\"type\":\"LOC\",\"valid\":\"yes\"}]}")).isFalse();
        assertThat(g.accepts("{\"verdicts\":[{\"span\":\"Merkel\",\"type\":\"PER\",\"valid\":true}]}")).isFalse();
    }

    @Test
    void validation_withoutTypesAdmitsOnlyTheEmptyList() {
        AnswerContract c = AnswerContract.of(new TaskContext(Stage.VALIDATION, SENTENCE, List.of(), List.of(),
                List.of(), List.of(new TypedSpan("Paris", "LOC"))));
        Gbnf g = grammar(c);
        assertThat(g.accepts("{\"verdicts\": [ ]}")).isTrue();
        assertThat(g.accepts("{\"verdicts\":[{\"span\":\"Paris\",\"type\":\"LOC\",\"valid\":true}]}")).isFalse();
    }

    @Test
    void hasSubstringRule_isTrueWhereSpansAreFreeText() {
        assertThat(AnswerGrammar.hasSubstringRule(extraction(SENTENCE))).isTrue();
        assertThat(AnswerGrammar.hasSubstringRule(AnswerContract.of(new TaskContext(Stage.PRE_EXTRACTION, SENTENCE,
                TYPES, List.of(), List.of(), List.of())))).isTrue();
        assertThat(AnswerGrammar.hasSubstringRule(classification(SENTENCE, TYPES))).isTrue();
        assertThat(AnswerGrammar.hasSubstringRule(AnswerContract.of(new TaskContext(Stage.CLASSIFICATION, SENTENCE,
                TYPES, List.of(), List.of("Paris"), List.of())))).isFalse();
    }

    /* --- properties on random sentences --- */

    private static final String[] PIECES = {"Paris", "Angela", "Merkel", "U.S.", "don't", "co-op", "12,5%",
        "e\u0301t\u00e9", "na\u0308ive", "東京", "に", "ソニー", "👩‍👩‍👧", "👍🏽", "🇫🇷🇩🇪", "😀", "\"quoted\"",
        "C:\\path\\x", "a\\\"b", "(EU)", "\u0001", "x\u007fy", "\u2028", "Ünïcödé", "ไทย", "\uD800", "—", "!",
        "…", "«ok»", "$5", "#tag", "@me", "a\u200Db", "\u0600🇦🇧", "🇦\u200D🇦🇦", "\n🏽y", "\u200Cy",
        "a\u200D", "🇦\u0301🇧", "\u0301x", "🏽", "\u0007"};
    private static final String[] SEPARATORS = {" ", " ", " ", "", "  ", "\t", "\n", "\u00A0", " \r\n "};

    static String randomSentence(Random r) {
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(14);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(SEPARATORS[r.nextInt(SEPARATORS.length)]);
            }
            b.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return b.toString();
    }

    /**
     * Every substring the contract allows, straight from its definition: from an index where
     * {@link StringShape#mayStartAt} holds to a later one where {@link StringShape#mayEndAt} holds.
     */
    static Set<String> alignedSpans(String sentence) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < sentence.length(); i++) {
            for (int j = i + 1; j <= sentence.length() && StringShape.mayStartAt(sentence, i); j++) {
                if (StringShape.mayEndAt(sentence, j)) {
                    out.add(sentence.substring(i, j));
                }
            }
        }
        return out;
    }

    @Test
    void randomSentences_acceptExactlyTheTokenAlignedSubstrings() throws Exception {
        Random r = new Random(20261202);
        Method anchor = spanAnchor();
        int accepted = 0;
        int refused = 0;
        for (int round = 0; round < 300; round++) {
            String sentence = randomSentence(r);
            AnswerContract contract = extraction(sentence);
            Gbnf g = grammar(contract);
            Set<String> aligned = alignedSpans(sentence);
            List<String> spans = new ArrayList<>(aligned);
            spans.sort(null);
            for (int k = 0; k < Math.min(spans.size(), 12); k++) {
                String span = spans.get(r.nextInt(spans.size()));
                String answer = r.nextBoolean() ? entities(span) : entities(span, spans.get(r.nextInt(spans.size())));
                assertThat(g.accepts(answer)).as("%s in %s", answer, sentence).isTrue();
                JsonNode read = Json.MAPPER.readTree(answer);
                assertThat(read.path("entities").get(0).asText()).isEqualTo(span);
                assertThat(contract.shape().fields().get(0).value()).isInstanceOfSatisfying(
                        AnswerContract.ArrayShape.class, a -> assertThat(((StringShape) a.items())
                                .allows(span, sentence)).as("the contract allows %s", span).isTrue());
                @SuppressWarnings("unchecked")
                List<TextRange> found = (List<TextRange>) anchor.invoke(null, sentence, span);
                assertThat(found).as("el4ner anchors %s in %s", span, sentence)
                        .anyMatch(t -> sentence.substring(t.start(), t.end()).equals(span));
                accepted++;
            }
            // Arbitrary substrings on code point boundaries: accepted exactly when the contract allows them.
            int[] cps = sentence.codePoints().toArray();
            for (int k = 0; k < 12 && cps.length > 0; k++) {
                int a = r.nextInt(cps.length);
                int b = a + 1 + r.nextInt(cps.length - a);
                String span = new String(cps, a, b - a);
                boolean expected = aligned.contains(span);
                assertThat(g.accepts(entities(span))).as("%s in %s", span, sentence).isEqualTo(expected);
                if (!expected) {
                    refused++;
                }
            }
            // A span no sentence piece contains.
            assertThat(g.accepts(entities("Zyx" + r.nextInt(1000)))).isFalse();
        }
        assertThat(accepted).isGreaterThan(1000);
        assertThat(refused).isGreaterThan(500);
    }

    @Test
    void randomAnswers_ofEveryShapeParseAsJsonWhenAccepted() throws IOException {
        Random r = new Random(7);
        for (int round = 0; round < 100; round++) {
            String sentence = randomSentence(r);
            Gbnf g = grammar(classification(sentence, TYPES));
            List<String> spans = new ArrayList<>(alignedSpans(sentence));
            spans.sort(null);
            if (spans.isEmpty()) {
                continue;
            }
            String span = AnswerGrammar.jsonString(spans.get(r.nextInt(spans.size())));
            String type = List.of("PER", "LOC", "NONE").get(r.nextInt(3));
            String answer = "{ \"labels\": [ {\"span\": " + span + ", \"type\": \"" + type + "\"} ] }";
            assertThat(g.accepts(answer)).as(answer).isTrue();
            assertThat(Json.MAPPER.readTree(answer).path("labels").get(0).path("type").asText()).isEqualTo(type);
            // One character less at the end breaks it.
            assertThat(g.accepts(answer.substring(0, answer.length() - 1))).isFalse();
        }
    }

    /**
     * el4ner-core's span anchoring, which decides what the pipeline keeps of a model's span strings: a test
     * dependency, on the class path (tests do not run on the module path), in a package core does not export.
     */
    private static Method spanAnchor() throws ReflectiveOperationException {
        return Class.forName("io.el4ner.core.internal.text.SpanAnchor").getMethod("find", String.class, String.class);
    }

    @Test
    void jsonText_escapesWhatJsonMustAndLeavesTheRestAsItIs() throws IOException {
        String s = "q\"b\\\b\f\n\r\t\u0001\u007f\u0085\u2028\u2029 é 😀 \uDC00";
        String json = AnswerGrammar.jsonString(s);
        assertThat(json).isEqualTo("\"q\\\"b\\\\\\b\\f\\n\\r\\t\\u0001\\u007f\\u0085\\u2028\\u2029 é 😀 \\udc00\"");
        assertThat(Json.MAPPER.readTree(json).asText()).isEqualTo(s);
        assertThat(json.getBytes(StandardCharsets.UTF_8)).isNotEmpty();
    }
}
