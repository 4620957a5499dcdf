package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.el4ner.api.AnswerContract;
import io.el4ner.api.AnswerContract.ArrayShape;
import io.el4ner.api.AnswerContract.Field;
import io.el4ner.api.AnswerContract.ObjectShape;
import io.el4ner.api.AnswerContract.Shape;
import io.el4ner.api.AnswerContract.StringShape;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import io.el4ner.core.internal.llm.ResponseParser;
import io.el4ner.core.internal.text.SpanAnchor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToIntBiFunction;

/**
 * What the tests of constrained answers share: Qwen's token bytes, random sentences and contexts, random walks
 * through the constraint, and the check that an answer is JSON of the contract that core's parser reads.
 */
abstract class JsonConstraintFixtures {
    static final ObjectMapper STRICT = new ObjectMapper();
    static final TokenBytes QWEN = TokenBytesTest.qwen();
    /** What JSON must escape, emoji, CJK, combining marks, joiners, flags, controls, and plain words. */
    static final List<String> PIECES = List.of("Paris", "Angela Merkel", "the", " ", " ", " ", "  ", "\t",
            "\n", "\"", "'", "\\", "\\\\", "/", "{", "}", "[", "]", ",", ":", "```", "é", "e\u0301", "\u0915\u094d\u0937",
            "北京", "東京タワー", "😀", "👩\u200d👩\u200d👧", "🇫🇷", "\u0000", "\u0001", "\u001f", "\u007f", "\u2028",
            "\u00a0", "\ufeff", "O'Neil", "a", "Z", "0", "ß", "\u0130");
    static final List<String> TYPE_NAMES = List.of("PER", "LOC", "ORG", "creative-work", "a \"q\" \\ type",
            "人物", "tab\there", "é", "NONE", "{}", "x/y");

    /** A walk's answer and how many tokens it took. */
    static final class Walk {
        final String text;
        final int tokens;

        Walk(String text, int tokens) {
            this.text = text;
            this.tokens = tokens;
        }

        String text() {
            return text;
        }
    }

    /** Chooses random allowed tokens until the answer is complete, then an end token; fails if it takes too long. */
    static Walk walk(AnswerContract contract, TokenBytes tokens, SplittableRandom random, BitSet mask,
                     ToIntBiFunction<BitSet, SplittableRandom> choose) {
        ConstraintState state = JsonConstraint.start(contract, tokens);
        for (int step = 0; step < 5_000; step++) {
            state.allowed(mask);
            assertThat(mask.isEmpty()).as("stuck after '%s'", state.text()).isFalse();
            if (state.isComplete()) {
                assertThat(mask.stream().allMatch(tokens::isEndToken)).isTrue();
                String text = state.text();
                state.advance(mask.nextSetBit(0));
                return new Walk(text, state.tokens());
            }
            state.advance(choose.applyAsInt(mask, random));
        }
        return fail("no complete answer after 5000 tokens: " + state.text());
    }

    static int uniform(BitSet mask, SplittableRandom random) {
        int k = random.nextInt(mask.cardinality());
        int id = mask.nextSetBit(0);
        for (int i = 0; i < k; i++) {
            id = mask.nextSetBit(id + 1);
        }
        return id;
    }

    /**
     * Checks an answer three ways: strict JSON of exactly the contract's shape (fields in order, strings allowed by
     * their rule); core's parser reads it with no problem; what the parser reads is what the JSON holds, every span a
     * substring of the sentence and every type one of the contract's.
     *
     * @return how many values (spans, labels, verdicts) the answer holds
     */
    static int check(AnswerContract contract, TaskContext context, String text) {
        JsonNode node;
        try {
            node = STRICT.readTree(text);
        } catch (Exception e) {
            return fail("not strict JSON: " + text, e);
        }
        conforms(contract.shape(), node, contract.sentence(), text);
        JsonNode items = node.get(contract.key());
        switch (contract.stage()) {
            case PRE_EXTRACTION, EXTRACTION -> {
                ResponseParser.Parsed<List<String>> parsed = ResponseParser.spans(text);
                assertThat(parsed.parsed()).as(text).isTrue();
                assertThat(parsed.problems()).as(text).isEmpty();
                List<String> expected = new ArrayList<>();
                items.forEach(i -> expected.add(i.asText()));
                assertThat(parsed.value()).as(text).isEqualTo(expected);
                // anchored by the pipeline exactly as they are: never an unanchored span
                parsed.value().forEach(s -> assertThat(SpanAnchor.find(contract.sentence(), s)).as(text)
                        .anyMatch(r -> contract.sentence().substring(r.start(), r.end()).equals(s)));
                return expected.size();
            }
            case CLASSIFICATION -> {
                ResponseParser.Parsed<List<TypedSpan>> parsed = ResponseParser.labels(text);
                assertThat(parsed.parsed()).as(text).isTrue();
                assertThat(parsed.problems()).as(text).isEmpty();
                List<TypedSpan> expected = new ArrayList<>();
                items.forEach(i -> expected.add(new TypedSpan(i.get("span").asText(), i.get("type").asText())));
                assertThat(parsed.value()).as(text).isEqualTo(expected);
                return expected.size();
            }
            default -> {
                ResponseParser.Parsed<List<ResponseParser.Judgement>> parsed =
                        ResponseParser.verdicts(text, context.typedSpans());
                assertThat(parsed.parsed()).as(text).isTrue();
                assertThat(parsed.problems()).as(text).isEmpty();
                List<ResponseParser.Judgement> expected = new ArrayList<>();
                items.forEach(i -> expected.add(new ResponseParser.Judgement(i.get("span").asText(),
                        i.get("type").asText(), i.get("valid").booleanValue())));
                assertThat(parsed.value()).as(text).isEqualTo(expected);
                return expected.size();
            }
        }
    }

    static void conforms(Shape shape, JsonNode node, String sentence, String text) {
        if (shape instanceof ObjectShape o) {
            assertThat(node.isObject()).as(text).isTrue();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            assertThat(names).as(text).containsExactlyElementsOf(o.fields().stream().map(Field::name).toList());
            for (Field f : o.fields()) {
                conforms(f.value(), node.get(f.name()), sentence, text);
            }
        } else if (shape instanceof ArrayShape a) {
            assertThat(node.isArray()).as(text).isTrue();
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                conforms(a.items(), it.next(), sentence, text);
            }
        } else if (shape instanceof StringShape s) {
            assertThat(node.isTextual()).as(text).isTrue();
            assertThat(s.allows(node.asText(), sentence)).as("'%s' in %s", node.asText(), text).isTrue();
        } else {
            assertThat(node.isBoolean()).as(text).isTrue();
        }
    }

    static TaskContext context(SplittableRandom random) {
        Stage stage = Stage.values()[random.nextInt(Stage.values().length)];
        String sentence = randomText(random, 1 + random.nextInt(14));
        List<EntityType> types = new ArrayList<>();
        for (String name : TYPE_NAMES) {
            if (random.nextInt(3) == 0) {
                types.add(EntityType.of(name));
            }
        }
        List<String> spans = new ArrayList<>();
        List<TypedSpan> typed = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            int a = random.nextInt(sentence.length() + 1);
            int b = random.nextInt(sentence.length() + 1);
            String span = random.nextInt(4) == 0 ? randomText(random, 1)
                    : sentence.substring(Math.min(a, b), Math.max(a, b));
            if (stage == Stage.CLASSIFICATION) {
                spans.add(span);
            } else if (stage == Stage.VALIDATION) {
                typed.add(new TypedSpan(span, types.isEmpty() ? "PER" : types.get(0).name()));
            }
        }
        return new TaskContext(stage, sentence, types, List.of(), spans, typed);
    }

    static String randomText(SplittableRandom random, int pieces) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            b.append(PIECES.get(random.nextInt(PIECES.size())));
        }
        return b.toString();
    }

    static String randomText(String alphabet, SplittableRandom random, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** Whether the answer can be written one byte at a time, ending complete. */
    static boolean spell(AnswerContract contract, String answer) {
        ConstraintState state = JsonConstraint.start(contract, QWEN);
        BitSet mask = new BitSet();
        for (byte b : answer.getBytes(StandardCharsets.UTF_8)) {
            int id = byteToken(b & 0xFF);
            state.allowed(mask);
            if (!mask.get(id)) {
                return false;
            }
            state.advance(id);
        }
        return state.isComplete();
    }

    static final Map<Integer, Integer> BYTE_TOKENS = new java.util.HashMap<>();

    static {
        for (int id = 0; id < QWEN.size(); id++) {
            byte[] b = QWEN.bytesUnsafe(id);
            if (b != null && b.length == 1) {
                BYTE_TOKENS.putIfAbsent(b[0] & 0xFF, id);
            }
        }
    }

    static int byteToken(int b) {
        return BYTE_TOKENS.get(b);
    }
}
