package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.Stage;
import io.el4ner.api.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a member re-asks and what it says, without a server. */
class ReasksTest {
    private static final StructuredOutput OUTPUT = new StructuredOutput("entities", Json.MAPPER.createObjectNode(),
            List.of());

    @Test
    void acceptable_answers_acceptsTheStagesJsonOnly() {
        assertThat(Reasks.acceptable(Stage.EXTRACTION, "{\"entities\": []}", false)).isTrue();
        assertThat(Reasks.acceptable(Stage.EXTRACTION, " ```json\n{\"entities\": [\"a\"]}\n``` ", false)).isTrue();
        assertThat(Reasks.acceptable(Stage.EXTRACTION, "{\"labels\": []}", false)).isFalse();
        assertThat(Reasks.acceptable(Stage.CLASSIFICATION, "{\"labels\": [", false)).isFalse();
        assertThat(Reasks.acceptable(Stage.VALIDATION, "{'verdicts': []}", false)).isFalse();
        assertThat(Reasks.acceptable(Stage.VALIDATION, "true", true)).isTrue();
        assertThat(Reasks.acceptable(Stage.VALIDATION, "maybe", true)).isFalse();
        assertThat(Reasks.correction(Stage.CLASSIFICATION, false)).contains("{\"labels\": [");
    }

    @Test
    void ask_unreadableAnswer_reasksWithItAndACorrectionAndAddsTheUsage() {
        List<List<ChatMessage>> asked = new ArrayList<>();
        Answer a = Reasks.ask("m", Stage.EXTRACTION, List.of(ChatMessage.user("q")), OUTPUT, 1, messages -> {
            asked.add(messages);
            return asked.size() == 1 ? new Answer("not json", TokenUsage.of(3, 2), "m", "stop")
                    : new Answer("{\"entities\": []}", TokenUsage.of(10, 4), "m", "stop");
        });
        assertThat(a.text()).isEqualTo("{\"entities\": []}");
        assertThat(a.usage()).isEqualTo(TokenUsage.of(13, 6));
        assertThat(asked.get(1)).hasSize(3);
        assertThat(asked.get(1).get(1).content()).isEqualTo("not json");
        assertThat(asked.get(1).get(2).content()).isEqualTo(Reasks.correction(Stage.EXTRACTION, false));
    }

    @Test
    void ask_failingReask_keepsTheFirstAnswer() {
        Answer a = Reasks.ask("m", Stage.EXTRACTION, List.of(ChatMessage.user("q")), OUTPUT, 2, messages -> {
            if (messages.size() > 1) {
                throw new RetriableBackendException("m", "down");
            }
            return new Answer("not json", TokenUsage.of(3, 2), "m", "stop");
        });
        assertThat(a.text()).isEqualTo("not json");
        assertThat(a.usage()).isEqualTo(TokenUsage.of(3, 2));
    }

    @Test
    void ask_noConstraintOrNoAttempts_asksOnce() {
        List<List<ChatMessage>> asked = new ArrayList<>();
        Reasks.ask("m", Stage.EXTRACTION, List.of(ChatMessage.user("q")), null, 3, messages -> {
            asked.add(messages);
            return new Answer("not json", TokenUsage.UNREPORTED, "m", "stop");
        });
        Reasks.ask("m", Stage.EXTRACTION, List.of(ChatMessage.user("q")), OUTPUT, 0, messages -> {
            asked.add(messages);
            return new Answer("not json", TokenUsage.UNREPORTED, "m", "stop");
        });
        assertThat(asked).hasSize(2);
    }
}
