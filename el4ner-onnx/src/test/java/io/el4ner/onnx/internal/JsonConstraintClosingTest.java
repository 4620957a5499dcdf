package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.AnswerContract;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Closing a cut answer: whole items are kept and the result parses; an item cut inside is dropped. */
class JsonConstraintClosingTest extends JsonConstraintFixtures {
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
}
