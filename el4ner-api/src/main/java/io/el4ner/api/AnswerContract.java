package io.el4ner.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a stage's answer must be, derived from the request's {@link TaskContext}: the one description of the answer
 * shapes that el4ner's default prompts ask for, used both by members that send a JSON Schema to a server (structured
 * outputs) and by members that constrain decoding themselves.
 *
 * <p>The shapes, by stage:
 * <ul>
 *   <li>{@link Stage#PRE_EXTRACTION}, {@link Stage#EXTRACTION}: {@code {"entities": [span, ...]}}, each span a
 *       {@linkplain StringRule#SUBSTRING_OF_SENTENCE substring of the sentence};</li>
 *   <li>{@link Stage#CLASSIFICATION}: {@code {"labels": [{"span": span, "type": type}, ...]}}, each span one of
 *       {@link TaskContext#spans()} (a substring of the sentence when none are asked about), each type one of the
 *       label names or {@value #NONE};</li>
 *   <li>{@link Stage#VALIDATION}: {@code {"verdicts": [{"span": span, "type": type, "valid": true|false}, ...]}},
 *       each span one of the texts of {@link TaskContext#typedSpans()} (a substring of the sentence when none are
 *       asked about), each type one of the label names.</li>
 * </ul>
 * Every object has exactly its fields, all required; {@link #shape()} lists them in the order a decoder writes them
 * (JSON itself leaves the order free, and so does the {@linkplain #jsonSchema() schema}). Arrays may be empty.
 *
 * <p>The {@linkplain #jsonSchema() JSON Schema} keeps to the subset that OpenAI's strict mode accepts (every property
 * required, no additional properties, {@code enum}), which vLLM, llama.cpp and Ollama also accept. It cannot say two
 * things that the {@linkplain #shape() shape} says: that a string is a substring of the sentence (the schema says
 * {@code "type": "string"}), and that a {@link StringRule#ONE_OF} with no values admits no string at all (an empty
 * {@code enum} is rejected by strict servers, so the schema leaves such a string unconstrained; this happens only
 * when the label set is empty).
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1
 */
public final class AnswerContract {
    /** The classification label of a span that is not an entity of any type ({@link Provenance#NOT_AN_ENTITY}). */
    public static final String NONE = Provenance.NOT_AN_ENTITY;

    private final Stage stage;
    private final String sentence;
    private final ObjectShape shape;

    private AnswerContract(Stage stage, String sentence, ObjectShape shape) {
        this.stage = stage;
        this.sentence = sentence;
        this.shape = shape;
    }

    /**
     * @param context what the request is about
     * @return the contract of its stage's answer
     */
    public static AnswerContract of(TaskContext context) {
        Objects.requireNonNull(context, "context");
        Shape item;
        switch (context.stage()) {
            case PRE_EXTRACTION, EXTRACTION -> item = StringShape.substringOfSentence();
            case CLASSIFICATION -> {
                Collection<String> labels = typeNames(context.types());
                labels.add(NONE);
                item = new ObjectShape(List.of(
                        new Field("span", spans(context.spans())),
                        new Field("type", StringShape.oneOf(labels))));
            }
            case VALIDATION -> item = new ObjectShape(List.of(
                    new Field("span", spans(context.typedSpans().stream().map(TypedSpan::text).toList())),
                    new Field("type", StringShape.oneOf(typeNames(context.types()))),
                    new Field("valid", BooleanShape.INSTANCE)));
            default -> throw new AssertionError(context.stage());
        }
        ObjectShape root = new ObjectShape(List.of(new Field(key(context.stage()), new ArrayShape(item))));
        return new AnswerContract(context.stage(), context.sentence(), root);
    }

    private static StringShape spans(List<String> asked) {
        return asked.isEmpty() ? StringShape.substringOfSentence() : StringShape.oneOf(asked);
    }

    private static Collection<String> typeNames(List<EntityType> types) {
        Collection<String> names = new LinkedHashSet<>();
        types.forEach(t -> names.add(t.name()));
        return names;
    }

    /**
     * @param stage a stage
     * @return the top-level key of its answer: {@code entities}, {@code labels} or {@code verdicts}
     */
    public static String key(Stage stage) {
        return switch (Objects.requireNonNull(stage, "stage")) {
            case PRE_EXTRACTION, EXTRACTION -> "entities";
            case CLASSIFICATION -> "labels";
            case VALIDATION -> "verdicts";
        };
    }

    /** @return the stage whose answer this is */
    public Stage stage() {
        return stage;
    }

    /** @return the sentence that {@link StringRule#SUBSTRING_OF_SENTENCE} strings are taken from */
    public String sentence() {
        return sentence;
    }

    /** @return the top-level key of the answer, {@link #key(Stage)} of the stage */
    public String key() {
        return key(stage);
    }

    /**
     * @return the schema's name for structured-output requests ({@code [a-z_]}, at most 64 characters), e.g.
     *     {@code el4ner_extraction}
     */
    public String name() {
        return "el4ner_" + stage.name().toLowerCase(Locale.ROOT);
    }

    /** @return the answer's shape: an object with one field, the {@link #key()}, holding an array */
    public ObjectShape shape() {
        return shape;
    }

    /**
     * The answer's JSON Schema as compact JSON text, e.g. for extraction
     * {@code {"type":"object","properties":{"entities":{"type":"array","items":{"type":"string"}}},
     * "required":["entities"],"additionalProperties":false}}. Objects list {@code type}, {@code properties},
     * {@code required} and {@code additionalProperties} in that order; strings {@code type}, then {@code enum} when
     * they are {@link StringRule#ONE_OF} with at least one value.
     *
     * @return the JSON Schema of the answer
     */
    public String jsonSchema() {
        StringBuilder b = new StringBuilder(256);
        writeSchema(shape, b);
        return b.toString();
    }

    private static void writeSchema(Shape shape, StringBuilder b) {
        if (shape instanceof ObjectShape o) {
            b.append("{\"type\":\"object\",\"properties\":{");
            for (int i = 0; i < o.fields().size(); i++) {
                Field f = o.fields().get(i);
                b.append(i == 0 ? "" : ",");
                writeString(f.name(), b);
                b.append(':');
                writeSchema(f.value(), b);
            }
            b.append("},\"required\":[");
            for (int i = 0; i < o.fields().size(); i++) {
                b.append(i == 0 ? "" : ",");
                writeString(o.fields().get(i).name(), b);
            }
            b.append("],\"additionalProperties\":false}");
        } else if (shape instanceof ArrayShape a) {
            b.append("{\"type\":\"array\",\"items\":");
            writeSchema(a.items(), b);
            b.append('}');
        } else if (shape instanceof StringShape s) {
            b.append("{\"type\":\"string\"");
            if (s.rule() == StringRule.ONE_OF && !s.values().isEmpty()) {
                b.append(",\"enum\":[");
                for (int i = 0; i < s.values().size(); i++) {
                    b.append(i == 0 ? "" : ",");
                    writeString(s.values().get(i), b);
                }
                b.append(']');
            }
            b.append('}');
        } else {
            b.append("{\"type\":\"boolean\"}");
        }
    }

    /** A JSON string as Jackson writes it by default: the two-character escapes where JSON has them, else six. */
    private static void writeString(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c) && !pairedAt(s, i)) {
                        b.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static boolean pairedAt(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnswerContract c && stage == c.stage && sentence.equals(c.sentence)
                && shape.equals(c.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stage, sentence, shape);
    }

    @Override
    public String toString() {
        return "AnswerContract[" + name() + ", " + jsonSchema() + "]";
    }

    /**
     * A JSON value's shape: an {@link ObjectShape}, an {@link ArrayShape}, a {@link StringShape} or a
     * {@link BooleanShape}. Shapes never nest recursively, so the answers of a contract form a regular language.
     *
     * @since 0.1
     */
    public sealed interface Shape permits ObjectShape, ArrayShape, StringShape, BooleanShape {
    }

    /**
     * An object with exactly these fields, all required, no others.
     *
     * @param fields the fields, at least one, with distinct names, in the order a decoder writes them
     * @since 0.1
     */
    public record ObjectShape(List<Field> fields) implements Shape {
        /** Validates and copies the fields. */
        public ObjectShape {
            fields = List.copyOf(fields);
            if (fields.isEmpty()) {
                throw new IllegalArgumentException("an object shape needs at least one field");
            }
            if (fields.stream().map(Field::name).distinct().count() != fields.size()) {
                throw new IllegalArgumentException("the fields of an object shape need distinct names: " + fields);
            }
        }
    }

    /**
     * One field of an {@link ObjectShape}.
     *
     * @param name the field's name
     * @param value the shape of its value
     * @since 0.1
     */
    public record Field(String name, Shape value) {
        /** Validates the components. */
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * An array, possibly empty, of values of one shape.
     *
     * @param items the shape of every element
     * @since 0.1
     */
    public record ArrayShape(Shape items) implements Shape {
        /** Validates the component. */
        public ArrayShape {
            Objects.requireNonNull(items, "items");
        }
    }

    /**
     * {@code true} or {@code false}.
     *
     * @since 0.1
     */
    public enum BooleanShape implements Shape {
        /** The only instance. */
        INSTANCE
    }

    /**
     * What a string may be.
     *
     * @since 0.1
     */
    public enum StringRule {
        /** One of the {@linkplain StringShape#values() values}; none when there are no values. */
        ONE_OF,
        /**
         * A non-empty substring of the contract's {@linkplain #sentence() sentence} that begins and ends on
         * {@linkplain Graphemes#isSpanBoundary(String, int) span boundaries} (never inside a word, nor inside a
         * visible character such as a letter with its combining marks or an emoji sequence) and neither begins nor
         * ends with whitespace ({@link Character#isWhitespace(int)} or {@link Character#isSpaceChar(int)}); see
         * {@link StringShape#mayStartAt(String, int)} and {@link StringShape#mayEndAt(String, int)}. These are
         * exactly the strings el4ner's pipeline anchors in the sentence as they are, so an answer whose spans keep
         * this rule has no unanchored span.
         */
        SUBSTRING_OF_SENTENCE
    }

    /**
     * A string value.
     *
     * @param rule what the string may be
     * @param values for {@link StringRule#ONE_OF} the allowed strings, distinct, in order; empty for
     *     {@link StringRule#SUBSTRING_OF_SENTENCE}
     * @since 0.1
     */
    public record StringShape(StringRule rule, List<String> values) implements Shape {
        /** Validates and copies the components. */
        public StringShape {
            Objects.requireNonNull(rule, "rule");
            values = List.copyOf(values);
            if (rule == StringRule.SUBSTRING_OF_SENTENCE && !values.isEmpty()) {
                throw new IllegalArgumentException("a substring of the sentence has no list of values");
            }
            if (new LinkedHashSet<>(values).size() != values.size()) {
                throw new IllegalArgumentException("the values of a string shape must be distinct: " + values);
            }
        }

        /**
         * @param values the allowed strings; duplicates are dropped, the first occurrence's order kept
         * @return a string that is one of the values
         */
        public static StringShape oneOf(Collection<String> values) {
            return new StringShape(StringRule.ONE_OF, new ArrayList<>(new LinkedHashSet<>(values)));
        }

        /** @return a string that is a {@linkplain StringRule#SUBSTRING_OF_SENTENCE substring of the sentence} */
        public static StringShape substringOfSentence() {
            return new StringShape(StringRule.SUBSTRING_OF_SENTENCE, List.of());
        }

        /**
         * Whether a string is allowed. Linear in the sentence's length times the value's for
         * {@link StringRule#SUBSTRING_OF_SENTENCE} at worst.
         *
         * @param value a string
         * @param sentence the contract's sentence
         * @return whether the value is one of the values, or a substring of the sentence that may start and end
         *     where it occurs, as the rule says
         */
        public boolean allows(String value, String sentence) {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(sentence, "sentence");
            if (rule == StringRule.ONE_OF) {
                return values.contains(value);
            }
            if (value.isEmpty()) {
                return false;
            }
            for (int i = sentence.indexOf(value); i >= 0; i = sentence.indexOf(value, i + 1)) {
                if (mayStartAt(sentence, i) && mayEndAt(sentence, i + value.length())) {
                    return true;
                }
            }
            return false;
        }

        /**
         * @param sentence a sentence
         * @param index an index in {@code [0, sentence.length()]}
         * @return whether a {@link StringRule#SUBSTRING_OF_SENTENCE} string may begin at {@code index}: a character
         *     that is not whitespace begins there, on a {@linkplain Graphemes#isSpanBoundary(String, int) span
         *     boundary} (never inside a word or a visible character)
         */
        public static boolean mayStartAt(String sentence, int index) {
            Objects.checkIndex(index, sentence.length() + 1);
            if (index == sentence.length() || Character.isLowSurrogate(sentence.charAt(index))
                    && index > 0 && Character.isHighSurrogate(sentence.charAt(index - 1))) {
                return false;
            }
            return !isSpace(sentence.codePointAt(index)) && Graphemes.isSpanBoundary(sentence, index);
        }

        /**
         * @param sentence a sentence
         * @param index an index in {@code [0, sentence.length()]}
         * @return whether a {@link StringRule#SUBSTRING_OF_SENTENCE} string may end at {@code index} (exclusive):
         *     a character that is not whitespace ends there, on a {@linkplain Graphemes#isSpanBoundary(String, int)
         *     span boundary}
         */
        public static boolean mayEndAt(String sentence, int index) {
            Objects.checkIndex(index, sentence.length() + 1);
            if (index == 0 || index < sentence.length() && Character.isLowSurrogate(sentence.charAt(index))
                    && Character.isHighSurrogate(sentence.charAt(index - 1))) {
                return false;
            }
            return !isSpace(sentence.codePointBefore(index)) && Graphemes.isSpanBoundary(sentence, index);
        }

        /**
         * {@link #mayStartAt(String, int)} at every index at once, in time linear in the sentence's length.
         *
         * @param sentence a sentence
         * @return for each index in {@code [0, sentence.length()]} whether a
         *     {@link StringRule#SUBSTRING_OF_SENTENCE} string may begin there
         */
        public static boolean[] starts(String sentence) {
            boolean[] boundaries = Graphemes.boundaries(sentence);
            boolean[] out = new boolean[sentence.length() + 1];
            for (int i = 0; i < sentence.length(); i++) {
                out[i] = (i == 0 || boundaries[i]) && !isSpace(sentence.codePointAt(i))
                        && Graphemes.isSpanBoundary(sentence, i, boundaries[i]);
            }
            return out;
        }

        /**
         * {@link #mayEndAt(String, int)} at every index at once, in time linear in the sentence's length.
         *
         * @param sentence a sentence
         * @return for each index in {@code [0, sentence.length()]} whether a
         *     {@link StringRule#SUBSTRING_OF_SENTENCE} string may end there (exclusive)
         */
        public static boolean[] ends(String sentence) {
            boolean[] boundaries = Graphemes.boundaries(sentence);
            boolean[] out = new boolean[sentence.length() + 1];
            for (int i = 1; i <= sentence.length(); i++) {
                out[i] = (i == sentence.length() || boundaries[i]) && !isSpace(sentence.codePointBefore(i))
                        && Graphemes.isSpanBoundary(sentence, i, boundaries[i]);
            }
            return out;
        }

        private static boolean isSpace(int cp) {
            return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
        }
    }
}
