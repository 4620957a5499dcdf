package io.el4ner.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.spi.Retriever;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetrievalStageTest {
    private static final Demonstration DEMO = new Demonstration("Olaf Scholz spoke.",
            List.of(new LabeledSpan(0, 11, "PER")));

    @Test
    void enabled_noRetriever_isFalse() {
        RetrievalStage stage = new RetrievalStage(Optional.empty(), 5);

        assertThat(stage.enabled()).isFalse();
        assertThat(stage.run("Paris.", List.of("Paris"))).isEmpty();
    }

    @Test
    void enabled_kZero_isFalse() {
        List<Object> calls = new ArrayList<>();
        Retriever r = (sentence, spans, k) -> {
            calls.add(k);
            return List.of(DEMO);
        };
        RetrievalStage stage = new RetrievalStage(Optional.of(r), 0);

        assertThat(stage.enabled()).isFalse();
        assertThat(stage.run("Paris.", List.of("Paris"))).isEmpty();
        assertThat(calls).isEmpty();
    }

    @Test
    void run_retriever_getsSentencePreSpansAndK() {
        List<Object> calls = new ArrayList<>();
        Retriever r = (sentence, spans, k) -> {
            calls.add(sentence);
            calls.add(spans);
            calls.add(k);
            return List.of(DEMO);
        };

        List<Demonstration> demos = new RetrievalStage(Optional.of(r), 3).run("Paris.", List.of("Paris"));

        assertThat(demos).containsExactly(DEMO);
        assertThat(calls).containsExactly("Paris.", List.of("Paris"), 3);
    }
}
