package io.el4ner.core.internal.pipeline;

import static io.el4ner.core.internal.pipeline.StageFixtures.SENTENCE;
import static io.el4ner.core.internal.pipeline.StageFixtures.TYPES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerException;
import io.el4ner.api.Entity;
import io.el4ner.api.Provenance;
import io.el4ner.api.spi.LabelDecision;
import io.el4ner.api.spi.SpanProposal;
import io.el4ner.api.spi.Validator;
import io.el4ner.api.spi.Verdict;
import io.el4ner.core.ScriptedMember;
import io.el4ner.core.internal.exec.CallLedger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValidationStageTest {
    private static final List<SpanProposal> SELECTED = List.of(
            new SpanProposal(0, 13, "Angela Merkel", List.of("a")),
            new SpanProposal(37, 42, "Paris", List.of("a")));
    private static final ClassificationStage.Outcome CLASSIFIED = new ClassificationStage.Outcome(
            Map.of("Angela Merkel", Map.of("a", "PER"), "Paris", Map.of("a", "LOC")),
            Map.of("Angela Merkel", new LabelDecision("PER", 1.0, true), "Paris", new LabelDecision("LOC", 1.0, true)));

    private static ValidationStage stage(Optional<Validator> validator) {
        return new ValidationStage(List.of(new ScriptedMember("a")), TYPES, validator, false, StageFixtures.invoker());
    }

    @Test
    void run_noValidator_keepsEveryEntityAsDisabled() {
        List<Entity> entities = stage(Optional.empty()).run(SENTENCE, List.of(), SELECTED, CLASSIFIED,
                new CallLedger(), null);

        assertThat(entities).extracting(Entity::text).containsExactly("Angela Merkel", "Paris");
        assertThat(entities).allSatisfy(e -> assertThat(e.provenance().validation())
                .isEqualTo(Provenance.ValidationStatus.DISABLED));
        assertThat(entities.get(1).type()).isEqualTo("LOC");
    }

    @Test
    void run_validatorRejects_dropsAndReports() {
        Validator v = request -> request.entities().stream()
                .map(t -> new Verdict(!t.text().equals("Paris"), true, List.of("a"), List.of()))
                .toList();
        CallLedger ledger = new CallLedger();
        Trace trace = new Trace();

        List<Entity> entities = stage(Optional.of(v)).run(SENTENCE, List.of(), SELECTED, CLASSIFIED, ledger, trace);

        assertThat(entities).extracting(Entity::text).containsExactly("Angela Merkel");
        assertThat(entities.get(0).provenance().validation()).isEqualTo(Provenance.ValidationStatus.ACCEPTED);
        assertThat(trace.rejected).containsExactly("Paris");
        assertThat(ledger.diagnostics()).extracting(Diagnostic::kind)
                .containsExactly(Diagnostic.Kind.REJECTED_BY_VALIDATOR);
    }

    @Test
    void run_wrongVerdictCount_throws() {
        Validator v = request -> List.of(Verdict.unanswered());

        assertThatThrownBy(() -> stage(Optional.of(v)).run(SENTENCE, List.of(), SELECTED, CLASSIFIED,
                new CallLedger(), null))
                .isInstanceOf(El4nerException.class)
                .hasMessageContaining("returned 1 verdicts for 2 entities");
    }
}
