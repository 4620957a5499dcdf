package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Constrained answers: random walks that choose random allowed tokens until the answer is complete always give JSON
 * of the contract that core's parser reads with no problem and no invented span, never get stuck, and stop at the
 * closing brace; the mask is exactly the tokens whose bytes the automaton accepts.
 */
class JsonConstraintTest extends JsonConstraintFixtures {
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
}
