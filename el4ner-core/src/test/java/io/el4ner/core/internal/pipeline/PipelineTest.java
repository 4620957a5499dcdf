package io.el4ner.core.internal.pipeline;

import static io.el4ner.core.internal.pipeline.StageFixtures.PROMPTS;
import static io.el4ner.core.internal.pipeline.StageFixtures.SENTENCE;
import static io.el4ner.core.internal.pipeline.StageFixtures.TYPES;
import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Demonstration;
import io.el4ner.api.Entity;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.Retriever;
import io.el4ner.core.ScriptedMember;
import io.el4ner.core.internal.builtin.VotingAggregator;
import io.el4ner.core.internal.exec.CallLedger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private static final String LABELS = "{\"labels\": [{\"span\": \"Angela Merkel\", \"type\": \"PER\"}, "
            + "{\"span\": \"Paris\", \"type\": \"LOC\"}]}";

    @Test
    void run_stagesInOrder_retrievesWithPreExtractedSpansAndTypesTheRest() {
        Demonstration demo = new Demonstration("Olaf Scholz spoke.", List.of(new LabeledSpan(0, 11, "PER")));
        List<List<String>> asked = new ArrayList<>();
        Retriever retriever = (sentence, spans, k) -> {
            asked.add(spans);
            return List.of(demo);
        };
        ScriptedMember a = new ScriptedMember("a")
                .on(Stage.PRE_EXTRACTION, "{\"entities\": [\"Paris\"]}")
                .on(Stage.EXTRACTION, "{\"entities\": [\"Angela Merkel\", \"Paris\"]}")
                .on(Stage.CLASSIFICATION, LABELS);
        Trace trace = new Trace();

        List<Entity> entities = new Pipeline(List.of(a), TYPES, Optional.of(retriever), 2,
                new VotingAggregator(1, Map.of()), Optional.empty(), false, false, PROMPTS, StageFixtures.invoker())
                .run(SENTENCE, new CallLedger(), trace);

        assertThat(entities).extracting(Entity::text, Entity::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Angela Merkel", "PER"),
                        org.assertj.core.groups.Tuple.tuple("Paris", "LOC"));
        assertThat(asked).containsExactly(List.of("Paris"));
        assertThat(a.requests()).extracting(r -> r.context().stage())
                .containsExactly(Stage.PRE_EXTRACTION, Stage.EXTRACTION, Stage.CLASSIFICATION);
        assertThat(a.requests().get(1).context().demonstrations()).containsExactly(demo);
        assertThat(trace.decided).containsExactly(Map.entry("Angela Merkel", "PER"), Map.entry("Paris", "LOC"));
    }

    @Test
    void run_nothingExtracted_asksNoFurtherStage() {
        ScriptedMember a = new ScriptedMember("a").on(Stage.EXTRACTION, "{\"entities\": []}");

        List<Entity> entities = new Pipeline(List.of(a), TYPES, Optional.empty(), 5,
                new VotingAggregator(1, Map.of()), Optional.empty(), false, false, PROMPTS, StageFixtures.invoker())
                .run(SENTENCE, new CallLedger());

        assertThat(entities).isEmpty();
        assertThat(a.requests()).extracting(r -> r.context().stage()).containsExactly(Stage.EXTRACTION);
    }
}
