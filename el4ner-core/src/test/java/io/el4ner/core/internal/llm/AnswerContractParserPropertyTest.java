package io.el4ner.core.internal.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.AnswerContract.ArrayShape;
import io.el4ner.api.AnswerContract.BooleanShape;
import io.el4ner.api.AnswerContract.Field;
import io.el4ner.api.AnswerContract.ObjectShape;
import io.el4ner.api.AnswerContract.Shape;
import io.el4ner.api.AnswerContract.StringRule;
import io.el4ner.api.AnswerContract.StringShape;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The parser reads everything the {@link AnswerContract} allows: random answers generated from random contracts, in
 * any field order, with any whitespace JSON allows and any escaping of their strings, parse to exactly the spans,
 * labels and verdicts generated, with no problem reported.
 */
class AnswerContractParserPropertyTest {
    /** Pieces of sentences, type names and asked spans: what JSON must escape, what the parser's other paths key on. */
    private static final List<String> PIECES = List.of("Paris", "Angela Merkel", " ", " ", "  ", "\t", "\n", "\r\n",
            "\"", "'", "\\", "\\\\", "/", "//", "/*", "*/", "{", "}", "[", "]", ",", ":", "```", "```json\n", "[SEP]",
            "[CLS]", "none", "true", "NONE", "é", "e\u0301", "\u0915\u094d\u0937", "北京", "東京タワー", "😀",
            "👩\u200d👩\u200d👧", "🇫🇷", "\u0000", "\u0001", "\u001f", "\u007f", "\u2028", "\u00a0", "\ufeff", "O'Neil",
            "1.", "- ", "->", "a", "Z", "0", "\u0130", "ß");
    private static final String SPACES = " \t\n\r";

    @Test
    void parse_anyAnswerTheContractAllows_readsExactlyItsValues() {
        SplittableRandom random = new SplittableRandom(2026_13);
        Map<Stage, Integer> answers = new LinkedHashMap<>();
        int values = 0;
        for (int round = 0; round < 4_000; round++) {
            TaskContext context = context(random);
            AnswerContract contract = AnswerContract.of(context);
            Object value = generate(contract.shape(), contract.sentence(), random);
            String text = blanks(random) + write(value, random) + blanks(random);
            String why = "answer " + text + " of " + contract;
            switch (context.stage()) {
                case PRE_EXTRACTION, EXTRACTION -> {
                    ResponseParser.Parsed<List<String>> parsed = ResponseParser.spans(text);
                    assertThat(parsed.parsed()).as(why).isTrue();
                    assertThat(parsed.problems()).as(why).isEmpty();
                    assertThat(parsed.value()).as(why).isEqualTo(items(value, contract.key()));
                    values += parsed.value().size();
                }
                case CLASSIFICATION -> {
                    ResponseParser.Parsed<List<TypedSpan>> parsed = ResponseParser.labels(text);
                    assertThat(parsed.parsed()).as(why).isTrue();
                    assertThat(parsed.problems()).as(why).isEmpty();
                    List<TypedSpan> expected = new ArrayList<>();
                    for (Object o : items(value, contract.key())) {
                        Map<?, ?> item = (Map<?, ?>) o;
                        expected.add(new TypedSpan((String) item.get("span"), (String) item.get("type")));
                    }
                    assertThat(parsed.value()).as(why).isEqualTo(expected);
                    values += expected.size();
                }
                case VALIDATION -> {
                    ResponseParser.Parsed<List<ResponseParser.Judgement>> parsed =
                            ResponseParser.verdicts(text, context.typedSpans());
                    assertThat(parsed.parsed()).as(why).isTrue();
                    assertThat(parsed.problems()).as(why).isEmpty();
                    List<ResponseParser.Judgement> expected = new ArrayList<>();
                    for (Object o : items(value, contract.key())) {
                        Map<?, ?> item = (Map<?, ?>) o;
                        expected.add(new ResponseParser.Judgement((String) item.get("span"), (String) item.get("type"),
                                (Boolean) item.get("valid")));
                    }
                    assertThat(parsed.value()).as(why).isEqualTo(expected);
                    values += expected.size();
                }
            }
            answers.merge(context.stage(), 1, Integer::sum);
        }
        assertThat(answers).hasSize(4).allSatisfy((stage, n) -> assertThat(n).isGreaterThan(500));
        assertThat(values).isGreaterThan(4_000);
    }

    private static List<?> items(Object value, String key) {
        return (List<?>) ((Map<?, ?>) value).get(key);
    }

    private static TaskContext context(SplittableRandom random) {
        Stage stage = Stage.values()[random.nextInt(Stage.values().length)];
        String sentence = text(random, 1 + random.nextInt(12));
        List<EntityType> types = new ArrayList<>();
        int t = random.nextInt(5);
        for (int i = 0; i < t; i++) {
            String name = text(random, 1 + random.nextInt(3)).replace('\n', '_').replace('\r', '_').strip();
            types.add(EntityType.of(name.isEmpty() ? "T" + i : name));
        }
        List<String> spans = new ArrayList<>();
        List<TypedSpan> typed = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            String span = random.nextBoolean() ? substring(sentence, random) : text(random, 1 + random.nextInt(2));
            if (stage == Stage.CLASSIFICATION) {
                spans.add(span);
            } else if (stage == Stage.VALIDATION) {
                typed.add(new TypedSpan(span, types.isEmpty() ? "X" : types.get(random.nextInt(types.size())).name()));
            }
        }
        return new TaskContext(stage, sentence, types, List.of(), spans, typed);
    }

    private static String text(SplittableRandom random, int pieces) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            b.append(PIECES.get(random.nextInt(PIECES.size())));
        }
        return b.toString();
    }

    private static String substring(String s, SplittableRandom random) {
        int i = random.nextInt(s.length() + 1);
        int j = random.nextInt(s.length() + 1);
        return s.substring(Math.min(i, j), Math.max(i, j));
    }

    /** A random value of the shape: maps (insertion order random), lists, strings, booleans. */
    private static Object generate(Shape shape, String sentence, SplittableRandom random) {
        if (shape instanceof ObjectShape o) {
            List<Field> fields = new ArrayList<>(o.fields());
            Collections.shuffle(fields, new java.util.Random(random.nextLong()));
            Map<String, Object> out = new LinkedHashMap<>();
            for (Field f : fields) {
                out.put(f.name(), generate(f.value(), sentence, random));
            }
            return out;
        }
        if (shape instanceof ArrayShape a) {
            List<Object> out = new ArrayList<>();
            int n = satisfiable(a.items(), sentence) ? random.nextInt(5) : 0;
            for (int i = 0; i < n; i++) {
                out.add(generate(a.items(), sentence, random));
            }
            return out;
        }
        if (shape instanceof StringShape s) {
            if (s.rule() == StringRule.ONE_OF) {
                return s.values().get(random.nextInt(s.values().size()));
            }
            List<int[]> allowed = allowedSubstrings(sentence);
            int[] r = allowed.get(random.nextInt(allowed.size()));
            String v = sentence.substring(r[0], r[1]);
            assertThat(s.allows(v, sentence)).isTrue();
            return v;
        }
        assertThat(shape).isSameAs(BooleanShape.INSTANCE);
        return random.nextBoolean();
    }

    private static boolean satisfiable(Shape shape, String sentence) {
        if (shape instanceof ObjectShape o) {
            return o.fields().stream().allMatch(f -> satisfiable(f.value(), sentence));
        }
        if (shape instanceof StringShape s) {
            return s.rule() == StringRule.ONE_OF ? !s.values().isEmpty() : !allowedSubstrings(sentence).isEmpty();
        }
        return true;
    }

    private static List<int[]> allowedSubstrings(String sentence) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i <= sentence.length(); i++) {
            for (int j = i + 1; j <= sentence.length(); j++) {
                if (StringShape.mayStartAt(sentence, i) && StringShape.mayEndAt(sentence, j)) {
                    out.add(new int[] {i, j});
                }
            }
        }
        return out;
    }

    private static String blanks(SplittableRandom random) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(4) == 0 ? random.nextInt(4) : 0;
        for (int i = 0; i < n; i++) {
            b.append(SPACES.charAt(random.nextInt(SPACES.length())));
        }
        return b.toString();
    }

    /** JSON text of the value, with random whitespace wherever JSON allows it and random escaping of strings. */
    private static String write(Object value, SplittableRandom random) {
        StringBuilder b = new StringBuilder();
        if (value instanceof Map<?, ?> m) {
            b.append('{').append(blanks(random));
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (i++ > 0) {
                    b.append(',').append(blanks(random));
                }
                b.append(string((String) e.getKey(), random)).append(blanks(random)).append(':')
                        .append(blanks(random)).append(write(e.getValue(), random)).append(blanks(random));
            }
            return b.append('}').toString();
        }
        if (value instanceof List<?> l) {
            b.append('[').append(blanks(random));
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',').append(blanks(random));
                }
                b.append(write(l.get(i), random)).append(blanks(random));
            }
            return b.append(']').toString();
        }
        if (value instanceof String s) {
            return string(s, random);
        }
        return value.toString();
    }

    /** A JSON string: what must be escaped is, in one of its forms; anything else may be, as JSON allows. */
    private static String string(String s, SplittableRandom random) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean unicode = random.nextInt(8) == 0;
            if (unicode) {
                b.append(String.format(Locale.ROOT, random.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) c));
            } else if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c == '/' && random.nextBoolean()) {
                b.append("\\/");
            } else if (c < 0x20) {
                String shortForm = switch (c) {
                    case '\b' -> "\\b";
                    case '\f' -> "\\f";
                    case '\n' -> "\\n";
                    case '\r' -> "\\r";
                    case '\t' -> "\\t";
                    default -> null;
                };
                b.append(shortForm != null && random.nextBoolean() ? shortForm
                        : String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
