package io.el4ner.core.internal.pipeline;

import static io.el4ner.core.internal.pipeline.StageFixtures.PROMPTS;
import static io.el4ner.core.internal.pipeline.StageFixtures.SENTENCE;
import static io.el4ner.core.internal.pipeline.StageFixtures.TYPES;
import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Stage;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SpanProposal;
import io.el4ner.core.ScriptedMember;
import io.el4ner.core.internal.builtin.VotingAggregator;
import io.el4ner.core.internal.exec.CallLedger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtractionStageTest {
    private static ScriptedMember member(String name, String answer) {
        return new ScriptedMember(name).on(Stage.EXTRACTION, answer);
    }

    @Test
    void run_union_proposesEveryOccurrenceWithItsMembers() {
        ScriptedMember a = member("a", "{\"entities\": [\"Paris\", \"Angela Merkel\"]}");
        ScriptedMember b = member("b", "{\"entities\": [\"Paris\"]}");
        Trace trace = new Trace();

        List<SpanProposal> selected = new ExtractionStage(List.of(a, b), TYPES, new VotingAggregator(1, Map.of()),
                PROMPTS, StageFixtures.invoker()).run(SENTENCE, List.of(), new CallLedger(), trace);

        assertThat(selected).containsExactly(
                new SpanProposal(0, 13, "Angela Merkel", List.of("a")),
                new SpanProposal(37, 42, "Paris", List.of("a", "b")));
        assertThat(trace.extracted).containsOnlyKeys("a", "b");
        assertThat(trace.extracted.get("a")).containsExactly(new TextRange(0, 13), new TextRange(37, 42));
        assertThat(trace.extracted.get("b")).containsExactly(new TextRange(37, 42));
    }

    @Test
    void run_quorumOfTwo_keepsSpansBothProposed() {
        ScriptedMember a = member("a", "{\"entities\": [\"Paris\", \"Angela Merkel\"]}");
        ScriptedMember b = member("b", "{\"entities\": [\"Paris\"]}");

        List<SpanProposal> selected = new ExtractionStage(List.of(a, b), TYPES, new VotingAggregator(2, Map.of()),
                PROMPTS, StageFixtures.invoker()).run(SENTENCE, List.of(), new CallLedger(), null);

        assertThat(selected).extracting(SpanProposal::text).containsExactly("Paris");
    }

    @Test
    void run_unreadableMember_leftOutOfTheAnswering() {
        ScriptedMember a = member("a", "{\"entities\": [\"Paris\"]}");
        ScriptedMember b = member("b", "no idea, sorry");
        Trace trace = new Trace();
        CallLedger ledger = new CallLedger();

        List<SpanProposal> selected = new ExtractionStage(List.of(a, b), TYPES, new VotingAggregator(1, Map.of()),
                PROMPTS, StageFixtures.invoker()).run(SENTENCE, List.of(), ledger, trace);

        assertThat(selected).extracting(SpanProposal::text).containsExactly("Paris");
        assertThat(trace.extracted).containsOnlyKeys("a");
        assertThat(ledger.diagnostics()).anySatisfy(d -> assertThat(d.member()).isEqualTo("b"));
    }
}
