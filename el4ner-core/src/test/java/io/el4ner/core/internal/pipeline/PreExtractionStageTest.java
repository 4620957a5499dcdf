package io.el4ner.core.internal.pipeline;

import static io.el4ner.core.internal.pipeline.StageFixtures.PROMPTS;
import static io.el4ner.core.internal.pipeline.StageFixtures.SENTENCE;
import static io.el4ner.core.internal.pipeline.StageFixtures.TYPES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.Stage;
import io.el4ner.core.ScriptedMember;
import io.el4ner.core.internal.exec.CallLedger;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreExtractionStageTest {
    @Test
    void run_twoMembers_returnsUnionOfAnchoredSpans() {
        ScriptedMember a = new ScriptedMember("a").on(Stage.PRE_EXTRACTION, "{\"entities\": [\"Paris\", \"Berlin\"]}");
        ScriptedMember b = new ScriptedMember("b").on(Stage.PRE_EXTRACTION, "{\"entities\": [\"Paris\", \"Angela Merkel\"]}");
        CallLedger ledger = new CallLedger();

        List<String> spans = new PreExtractionStage(List.of(a, b), TYPES, PROMPTS, StageFixtures.invoker())
                .run(SENTENCE, ledger);

        assertThat(spans).containsExactly("Paris", "Angela Merkel");
        assertThat(ledger.diagnostics()).anySatisfy(d -> {
            assertThat(d.kind()).isEqualTo(Diagnostic.Kind.UNANCHORED_SPAN);
            assertThat(d.stage()).isEqualTo(Stage.PRE_EXTRACTION);
            assertThat(d.member()).isEqualTo("a");
            assertThat(d.detail()).isEqualTo("Berlin");
        });
        assertThat(a.requests()).singleElement()
                .satisfies(r -> assertThat(r.context().demonstrations()).isEmpty());
    }

    @Test
    void run_noReadableAnswer_throwsEnsembleFailure() {
        ScriptedMember a = new ScriptedMember("a").on(Stage.PRE_EXTRACTION, "I cannot help with that");

        assertThatThrownBy(() -> new PreExtractionStage(List.of(a), TYPES, PROMPTS, StageFixtures.invoker())
                .run(SENTENCE, new CallLedger()))
                .isInstanceOf(EnsembleFailureException.class)
                .hasMessageContaining("PRE_EXTRACTION");
    }
}
