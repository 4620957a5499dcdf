package io.el4ner.core.internal.pipeline;

import static io.el4ner.core.internal.pipeline.StageFixtures.PROMPTS;
import static io.el4ner.core.internal.pipeline.StageFixtures.SENTENCE;
import static io.el4ner.core.internal.pipeline.StageFixtures.TYPES;
import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.Provenance;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.SpanProposal;
import io.el4ner.core.ScriptedMember;
import io.el4ner.core.internal.builtin.VotingAggregator;
import io.el4ner.core.internal.exec.CallLedger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassificationStageTest {
    private static final List<SpanProposal> SELECTED = List.of(
            new SpanProposal(0, 13, "Angela Merkel", List.of("a", "b")),
            new SpanProposal(18, 33, "Emmanuel Macron", List.of("a")),
            new SpanProposal(37, 42, "Paris", List.of("a", "b")));

    @Test
    void run_labels_normalisedAndVoted() {
        ScriptedMember a = new ScriptedMember("a").on(Stage.CLASSIFICATION, "{\"labels\": [{\"span\": \"Angela Merkel\", "
                + "\"type\": \"per\"}, {\"span\": \"Emmanuel Macron\", \"type\": \"O\"}, {\"span\": \"Paris\", "
                + "\"type\": \"B-LOC\"}]}");
        ScriptedMember b = new ScriptedMember("b").on(Stage.CLASSIFICATION, "{\"labels\": [{\"span\": \"Angela Merkel\", "
                + "\"type\": \"PER\"}, {\"span\": \"Emmanuel Macron\", \"type\": \"none\"}, {\"span\": \"Paris\", "
                + "\"type\": \"LOC\"}]}");
        Trace trace = new Trace();

        ClassificationStage.Outcome out = new ClassificationStage(List.of(a, b), TYPES,
                new VotingAggregator(1, Map.of()), PROMPTS, StageFixtures.invoker())
                .run(SENTENCE, List.of(), SELECTED, new CallLedger(), trace);

        assertThat(out.labels().get("Angela Merkel")).containsExactly(Map.entry("a", "PER"), Map.entry("b", "PER"));
        assertThat(out.labels().get("Paris")).containsExactly(Map.entry("a", "LOC"), Map.entry("b", "LOC"));
        assertThat(out.decisions()).containsOnlyKeys("Angela Merkel", "Paris");
        assertThat(out.decisions().get("Paris").label()).isEqualTo("LOC");
        assertThat(trace.decided).containsEntry("Emmanuel Macron", Provenance.NOT_AN_ENTITY);
        assertThat(a.requests()).singleElement()
                .satisfies(r -> assertThat(r.context().spans()).containsExactly("Angela Merkel", "Emmanuel Macron",
                        "Paris"));
    }

    @Test
    void run_unknownLabelAndUnaskedSpan_reportedAndIgnored() {
        ScriptedMember a = new ScriptedMember("a").on(Stage.CLASSIFICATION, "{\"labels\": [{\"span\": \"Angela Merkel\", "
                + "\"type\": \"politician\"}, {\"span\": \"Berlin\", \"type\": \"LOC\"}, {\"span\": \"Paris\", "
                + "\"type\": \"LOC\"}]}");
        CallLedger ledger = new CallLedger();

        ClassificationStage.Outcome out = new ClassificationStage(List.of(a), TYPES,
                new VotingAggregator(1, Map.of()), PROMPTS, StageFixtures.invoker())
                .run(SENTENCE, List.of(), SELECTED, ledger, null);

        assertThat(out.decisions()).containsOnlyKeys("Paris");
        assertThat(ledger.diagnostics()).extracting(Diagnostic::kind).contains(Diagnostic.Kind.UNKNOWN_TYPE,
                Diagnostic.Kind.UNEXPECTED_SPAN, Diagnostic.Kind.UNLABELED_SPAN);
    }
}
