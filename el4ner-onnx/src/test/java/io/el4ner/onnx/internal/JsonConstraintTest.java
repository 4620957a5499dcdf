package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToIntBiFunction;
import org.junit.jupiter.api.Test;

/**
 * Constrained answers: random walks that choose random allowed tokens until the answer is complete always give JSON
 * of the contract that core's parser reads with no problem and no invented span, never get stuck, and stop at the
 * closing brace; the mask is exactly the tokens whose bytes the automaton accepts.
 */
class JsonConstraintTest {
    private static final ObjectMapper STRICT = new ObjectMapper();
    private static final TokenBytes QWEN = TokenBytesTest.qwen();
    /** What JSON must escape, emoji, CJK, combining marks, joiners, flags, controls, and plain words. */
    private static final List<String> PIECES = List.of("Paris", "Angela Merkel", "the", " ", " ", " ", "  ", "\t",
            "\n", "\"", "'", "\\", "\\\\", "/", "{", "}", "[", "]", ",", ":", "```", "é", "e\u0301", "\u0915\u094d\u0937",
            "北京", "東京タワー", "😀", "👩\u200d👩\u200d👧", "🇫🇷", "\u0000", "\u0001", "\u001f", "\u007f", "\u2028",
            "\u00a0", "\ufeff", "O'Neil", "a", "Z", "0", "ß", "\u0130");
    private static final List<String> TYPE_NAMES = List.of("PER", "LOC", "ORG", "creative-work", "a \"q\" \\ type",
            "人物", "tab\there", "é", "NONE", "{}", "x/y");

    @Test
    void randomWalks_giveAnswersTheParserReadsWithoutProblemsOrInventedSpans() {
        SplittableRandom random = new SplittableRandom(13);
        BitSet mask = new BitSet();
        int answers = 0;
        long tokens = 0;
        int values = 0;
        for (int round = 0; round < 1_500; round++) {
            TaskContext context = context(random);
            AnswerContract contract = AnswerContract.of(context);
            Walk walk = walk(contract, QWEN, random, mask, JsonConstraintTest::uniform);
            values += check(contract, context, walk.text);
            answers++;
            tokens += walk.tokens;
        }
        assertThat(answers).isEqualTo(1_500);
        assertThat(values).isGreaterThan(1_500);
        System.out.printf("constrained random walks: %d answers, %d values, %.1f tokens per answer%n", answers, values,
                tokens / (double) answers);
    }

    /** The mask is exactly the tokens whose bytes the automaton accepts from the state (and nothing once complete). */
    @Test
    void mask_isExactlyTheTokensTheAutomatonAccepts() {
        SplittableRandom random = new SplittableRandom(7);
        BitSet mask = new BitSet();
        int compared = 0;
        for (int round = 0; round < 150; round++) {
            AnswerContract contract = AnswerContract.of(context(random));
            ConstraintState state = JsonConstraint.start(contract, QWEN);
            while (!state.isComplete()) {
                state.allowed(mask);
                BitSet expected = new BitSet();
                for (int id = 0; id < QWEN.size(); id++) {
                    byte[] b = QWEN.bytesUnsafe(id);
                    if (b != null && state.cursor().copy().step(b)) {
                        expected.set(id);
                    }
                }
                assertThat(mask).as("after '%s'", state.text()).isEqualTo(expected);
                compared++;
                state.advance(uniform(mask, random));
            }
            state.allowed(mask);
            assertThat(mask.stream().toArray()).containsExactly(4070, 4072);
            // the structure's masks came from the cache after their first walk, and were compared all the same
            assertThat(state.constraint().cachedMasks()).isPositive();
        }
        assertThat(compared).isGreaterThan(1_500);
    }

    @Test
    void whitespace_isBoundedAndTheAnswerStillCompletes() {
        SplittableRandom random = new SplittableRandom(3);
        BitSet mask = new BitSet();
        for (int round = 0; round < 100; round++) {
            TaskContext context = context(random);
            AnswerContract contract = AnswerContract.of(context);
            // prefer tokens that are all whitespace, whenever one is allowed
            Walk walk = walk(contract, QWEN, random, mask, (m, r) -> {
                List<Integer> blank = new ArrayList<>();
                m.stream().forEach(id -> {
                    byte[] b = QWEN.bytesUnsafe(id);
                    if (b != null && new String(b, StandardCharsets.UTF_8).isBlank()) {
                        blank.add(id);
                    }
                });
                return blank.isEmpty() || r.nextInt(10) == 0 ? uniform(m, r) : blank.get(r.nextInt(blank.size()));
            });
            check(contract, context, walk.text);
            int run = 0;
            boolean inString = false;
            for (int i = 0; i < walk.text.length(); i++) {
                char ch = walk.text.charAt(i);
                if (inString && ch == '\\') {
                    i++; // an escape: the next character is inside the string
                } else if (ch == '"') {
                    inString = !inString;
                }
                run = !inString && " \t\n\r".indexOf(ch) >= 0 ? run + 1 : 0;
                assertThat(run).as(walk.text).isLessThanOrEqualTo(JsonConstraint.MAX_WHITESPACE);
            }
            assertThat(walk.text).endsWith("}");
        }
    }

    @Test
    void spelledAnswers_acceptedOrRefusedByteByByte() {
        TaskContext context = new TaskContext(Stage.EXTRACTION, "Angela \"Merkel\" in Paris\\Texas 😀\n",
                List.of(EntityType.of("PER")), List.of(), List.of(), List.of());
        AnswerContract contract = AnswerContract.of(context);
        assertThat(spell(contract, "{\"entities\": [\"Angela \\\"Merkel\\\"\", \"Paris\\\\Texas 😀\"]}")).isTrue();
        assertThat(spell(contract, "\n{\n  \"entities\": [\n    \"Merkel\\\"\"\n  ]\n}")).isTrue();
        assertThat(spell(contract, "{\"entities\":[]}")).isTrue();
        assertThat(spell(contract, "{\"entities\": [\"Lyon\"]}")).isFalse(); // not in the sentence
        assertThat(spell(contract, "{\"entities\": [\"Paris \"]}")).isFalse(); // ends with a space
        assertThat(spell(contract, "{\"entities\": [\" Paris\"]}")).isFalse(); // starts with a space
        assertThat(spell(contract, "{\"entities\": [\"\"]}")).isFalse(); // empty
        assertThat(spell(contract, "{\"entities\": [\"\\u00e9\"]}")).isFalse(); // not the canonical spelling
        assertThat(spell(contract, "{\"entities\": [\"Texas 😀\\n\"]}")).isFalse(); // ends with a line feed
        assertThat(spell(contract, "{\"entities\": [\"Merkel\"\"]}")).isFalse(); // an unescaped quote
        assertThat(spell(contract, "{\"entities\": [\"n in\"]}")).isFalse(); // "n" of the escape \n is not a start
        assertThat(spell(contract, "{\"entities\": []} ")).isFalse(); // nothing after the answer
        assertThat(spell(contract, "{\"entities\":         []}")).isFalse(); // nine blanks in a row
        assertThat(spell(contract, "{\"entities\":        []}")).isTrue(); // eight

        TaskContext validation = new TaskContext(Stage.VALIDATION, "x", List.of(EntityType.of("a \"q\" \\ type"),
                EntityType.of("人物")), List.of(), List.of(), List.of(new TypedSpan("O'Neil \"Jr\"", "人物")));
        AnswerContract v = AnswerContract.of(validation);
        assertThat(spell(v, "{\"verdicts\": [{\"span\": \"O'Neil \\\"Jr\\\"\", \"type\": \"a \\\"q\\\" \\\\ type\", "
                + "\"valid\": false}, {\"span\": \"O'Neil \\\"Jr\\\"\", \"type\": \"人物\", \"valid\": true}]}")).isTrue();
        assertThat(spell(v, "{\"verdicts\": [{\"span\": \"x\", \"type\": \"人物\", \"valid\": true}]}")).isFalse();
        assertThat(spell(v, "{\"verdicts\": [{\"type\": \"人物\", \"span\": \"O'Neil \\\"Jr\\\"\", \"valid\": true}]}"))
                .isFalse(); // the shape's field order
        assertThat(spell(v, "{\"verdicts\": [{\"span\": \"O'Neil \\\"Jr\\\"\", \"type\": \"人物\", \"valid\": yes}]}"))
                .isFalse();
    }

    @Test
    void completeAnswer_allowsOnlyTheEndTokensAndRefusesOthers() {
        AnswerContract contract = AnswerContract.of(new TaskContext(Stage.EXTRACTION, "Paris", List.of(), List.of(),
                List.of(), List.of()));
        ConstraintState state = JsonConstraint.start(contract, QWEN);
        assertThatIllegalArgumentException().isThrownBy(() -> state.advance(4071)); // <|im_start|>: never
        assertThatIllegalArgumentException().isThrownBy(() -> state.advance(4072)); // an end token, too early
        assertThatIllegalArgumentException().isThrownBy(() -> state.advance(byteToken('[')));
        for (char ch : "{\"entities\":[\"Paris\"]}".toCharArray()) {
            assertThat(state.isComplete()).isFalse();
            state.advance(byteToken(ch));
        }
        assertThat(state.isComplete()).isTrue();
        assertThat(state.text()).isEqualTo("{\"entities\":[\"Paris\"]}");
        BitSet mask = new BitSet();
        state.allowed(mask);
        assertThat(mask.stream().toArray()).containsExactly(4070, 4072);
        assertThatIllegalArgumentException().isThrownBy(() -> state.advance(byteToken(' ')));
        assertThat(state.isEnded()).isFalse();
        state.advance(4072);
        assertThat(state.isEnded()).isTrue();
        assertThat(state.tokens()).isEqualTo(23);
    }

    /**
     * An answer cut at any token (a token limit) closes to strict JSON of the contract that keeps exactly the items
     * written whole before the cut: what it keeps is a prefix of the bytes written, followed by closing brackets
     * only, and its items are the first items of the answer the walk went on to write.
     */
    @Test
    void closed_cutAnswersKeepTheWholeItemsAndParse() {
        SplittableRandom random = new SplittableRandom(29);
        BitSet mask = new BitSet();
        int closedWithItems = 0;
        int none = 0;
        for (int round = 0; round < 600; round++) {
            TaskContext context = context(random);
            AnswerContract contract = AnswerContract.of(context);
            List<Integer> chosen = new ArrayList<>();
            Walk whole = walk(contract, QWEN, random, mask, (m, r) -> {
                int id = uniform(m, r);
                chosen.add(id);
                return id;
            });
            int cut = random.nextInt(chosen.size() + 1);
            ConstraintState state = JsonConstraint.start(contract, QWEN);
            chosen.subList(0, cut).forEach(state::advance);
            byte[] written = state.bytes();
            var closed = state.closed();
            if (closed.isEmpty()) {
                // nothing to keep: cut before the list opened
                assertThat(new String(written, StandardCharsets.UTF_8)).doesNotContain("[");
                none++;
                continue;
            }
            String text = closed.get().text();
            int kept = written.length - closed.get().droppedBytes();
            String prefix = new String(written, 0, kept, StandardCharsets.UTF_8);
            assertThat(text).startsWith(prefix);
            assertThat(text.substring(prefix.length())).matches("[\\]}]+|");
            int values = check(contract, context, text);
            List<JsonNode> keptItems = new ArrayList<>();
            List<JsonNode> allItems = new ArrayList<>();
            items(text, contract).forEach(keptItems::add);
            items(whole.text(), contract).forEach(allItems::add);
            assertThat(allItems.subList(0, keptItems.size())).as("%s cut to %s", whole.text(), text)
                    .isEqualTo(keptItems);
            if (cut == chosen.size()) {
                assertThat(text).isEqualTo(whole.text());
                assertThat(closed.get().droppedBytes()).isZero();
            }
            closedWithItems += values > 0 ? 1 : 0;
        }
        assertThat(closedWithItems).isGreaterThan(50);
        assertThat(none).isGreaterThan(0);
    }

    @Test
    void closed_keepsAnItemCutRightAfterItsEndAndDropsOneCutInside() {
        AnswerContract contract = AnswerContract.of(new TaskContext(Stage.EXTRACTION, "Paris and Rome", List.of(),
                List.of(), List.of(), List.of()));
        ConstraintState state = JsonConstraint.start(contract, QWEN);
        for (char ch : "{\"entities\": [\"Paris\", \"Ro".toCharArray()) {
            state.advance(byteToken(ch));
        }
        assertThat(state.closed()).hasValueSatisfying(c -> {
            assertThat(c.text()).isEqualTo("{\"entities\": [\"Paris\"]}");
            assertThat(c.droppedBytes()).isEqualTo(5); // , "Ro
        });
        ConstraintState empty = JsonConstraint.start(contract, QWEN);
        for (char ch : "{\"entities\": [".toCharArray()) {
            empty.advance(byteToken(ch));
        }
        assertThat(empty.closed()).hasValueSatisfying(c -> assertThat(c.text()).isEqualTo("{\"entities\": []}"));
        ConstraintState early = JsonConstraint.start(contract, QWEN);
        for (char ch : "{\"enti".toCharArray()) {
            early.advance(byteToken(ch));
        }
        assertThat(early.closed()).isEmpty();
    }

    private static JsonNode items(String text, AnswerContract contract) {
        try {
            return STRICT.readTree(text).get(contract.key());
        } catch (Exception e) {
            return fail("not strict JSON: " + text, e);
        }
    }

    /** No token of this SentencePiece vocabulary writes 😀 or 北: spans avoid them, and every walk still ends. */
    @Test
    void charactersNoTokenCanWrite_areAvoidedAndTheWalkEnds() {
        List<String> pieces = new ArrayList<>(List.of("{", "}", "[", "]", "\"", ",", ":", "▁", "▁\"", "\",", "\"]",
                "]}", "entities", "labels", "span", "type", "valid", "verdicts", "true", "false", "NONE", "PER", "\\",
                "\\\\", "\\\"", "n", "Paris", "▁Paris", "a", "b", "c", "京", "\\u", "00", "0", "1", "A", "É"));
        TokenBytes tokens = TokenBytes.fromJson(TokenBytesTest.sentencePiece(pieces, false), Set.of(2L), "t");
        assertThat(tokens.coversEveryByte()).isFalse();
        SplittableRandom random = new SplittableRandom(5);
        BitSet mask = new BitSet();
        for (String sentence : List.of("Paris 😀 北京 abc", "😀", "a\u0001b \"c\" \\ 京\n", "北京")) {
            for (Stage stage : Stage.values()) {
                TaskContext context = new TaskContext(stage, sentence, List.of(EntityType.of("PER")), List.of(),
                        stage == Stage.CLASSIFICATION ? List.of("Paris", "北京") : List.of(),
                        stage == Stage.VALIDATION ? List.of(new TypedSpan("京", "PER"), new TypedSpan("😀", "PER"))
                                : List.of());
                AnswerContract contract = AnswerContract.of(context);
                for (int i = 0; i < 40; i++) {
                    Walk walk = walk(contract, tokens, random, mask, JsonConstraintTest::uniform);
                    check(contract, context, walk.text);
                    assertThat(walk.text).doesNotContain("😀").doesNotContain("北");
                }
            }
        }
    }

    /** Nothing to take a span from: the only answers are empty arrays, and every walk reaches one. */
    @Test
    void sentenceWithoutAnyAllowedSpan_givesEmptyAnswers() {
        SplittableRandom random = new SplittableRandom(17);
        BitSet mask = new BitSet();
        for (String sentence : List.of("", " ", " \t\n\u00a0\u2028 ")) {
            for (Stage stage : List.of(Stage.EXTRACTION, Stage.CLASSIFICATION)) {
                TaskContext context = new TaskContext(stage, sentence, List.of(EntityType.of("PER")), List.of(),
                        List.of(), List.of());
                AnswerContract contract = AnswerContract.of(context);
                for (int i = 0; i < 20; i++) {
                    Walk walk = walk(contract, QWEN, random, mask, JsonConstraintTest::uniform);
                    assertThat(check(contract, context, walk.text)).isZero();
                }
            }
        }
    }

    /** A window of 20,000 characters: walks still end, every span taken from it. */
    @Test
    void longWindow_walksEnd() {
        SplittableRandom random = new SplittableRandom(19);
        String window = randomText(random, 8_000);
        assertThat(window.length()).isGreaterThan(15_000);
        TaskContext context = new TaskContext(Stage.EXTRACTION, window, List.of(EntityType.of("PER")), List.of(),
                List.of(), List.of());
        AnswerContract contract = AnswerContract.of(context);
        BitSet mask = new BitSet();
        int values = 0;
        for (int i = 0; i < 30; i++) {
            values += check(contract, context, walk(contract, QWEN, random, mask, JsonConstraintTest::uniform).text);
        }
        assertThat(values).isPositive();
    }

    @Test
    void noAnswerAtAll_isAClearErrorAtTheStart() {
        // no token writes '{'
        TokenBytes tokens = TokenBytes.fromJson(TokenBytesTest.sentencePiece(List.of("}", "[", "]", "\"", "entities",
                ":"), false), Set.of(2L), "t");
        AnswerContract contract = AnswerContract.of(new TaskContext(Stage.EXTRACTION, "Paris", List.of(), List.of(),
                List.of(), List.of()));
        assertThatThrownBy(() -> JsonConstraint.start(contract, tokens)).isInstanceOf(NoValidAnswerException.class)
                .hasMessageContaining("el4ner_extraction").hasMessageContaining("cannot write every byte");
    }

    /** The substring automaton closes after exactly the canonical spellings of the strings the contract allows. */
    @Test
    void substringMatcher_acceptsExactlyTheAllowedSubstrings() {
        SplittableRandom random = new SplittableRandom(11);
        String alphabet = "ab \"\\\n\u0001\u00e9\ud83d\ude00\u0301\u00a0\ud800";
        int accepted = 0;
        for (int round = 0; round < 400; round++) {
            String sentence = randomText(alphabet, random, 1 + random.nextInt(9));
            SubstringMatcher m = new SubstringMatcher(sentence);
            List<String> candidates = new ArrayList<>();
            for (int i = 0; i <= sentence.length(); i++) {
                for (int j = i; j <= sentence.length(); j++) {
                    candidates.add(sentence.substring(i, j));
                }
            }
            for (int k = 0; k < 20; k++) {
                candidates.add(randomText(alphabet, random, 1 + random.nextInt(4)));
            }
            for (String v : candidates) {
                SubstringMatcher.ByteSink b = new SubstringMatcher.ByteSink(8);
                for (int i = 0; i < v.length(); ) {
                    int cp = v.codePointAt(i);
                    SubstringMatcher.escape(cp, b);
                    i += Character.charCount(cp);
                }
                int[] set = m.initial();
                int len = set.length;
                byte[] bytes = b.toArray();
                for (int i = 0; i < bytes.length && len > 0; i++) {
                    int[] next = new int[len];
                    len = m.advance(set, len, bytes[i] & 0xFF, next);
                    set = next;
                }
                boolean closes = bytes.length > 0 && len > 0 && m.closable(set, len);
                assertThat(closes).as("'%s' in '%s'", v, sentence)
                        .isEqualTo(StringShape.substringOfSentence().allows(v, sentence));
                accepted += closes ? 1 : 0;
            }
        }
        assertThat(accepted).isGreaterThan(2_000);
    }

    // ---------------------------------------------------------------------------------------------------------------

    record Walk(String text, int tokens) {
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

    private static void conforms(Shape shape, JsonNode node, String sentence, String text) {
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

    private static String randomText(SplittableRandom random, int pieces) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            b.append(PIECES.get(random.nextInt(PIECES.size())));
        }
        return b.toString();
    }

    private static String randomText(String alphabet, SplittableRandom random, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** Whether the answer can be written one byte at a time, ending complete. */
    private static boolean spell(AnswerContract contract, String answer) {
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

    private static final Map<Integer, Integer> BYTE_TOKENS = new java.util.HashMap<>();

    static {
        for (int id = 0; id < QWEN.size(); id++) {
            byte[] b = QWEN.bytesUnsafe(id);
            if (b != null && b.length == 1) {
                BYTE_TOKENS.putIfAbsent(b[0] & 0xFF, id);
            }
        }
    }

    private static int byteToken(int b) {
        return BYTE_TOKENS.get(b);
    }

}
