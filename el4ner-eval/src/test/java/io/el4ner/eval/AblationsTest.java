package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.TracedResult;
import io.el4ner.core.ValidationMode;
import io.el4ner.eval.internal.ReplayPredictionsMember;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AblationsTest {
    static final String TEXT = "Angela Merkel met Emmanuel Macron in Paris .";

    @Test
    void of_oneTracedRun_givesEveryRow() {
        List<LabeledSpan> pa = List.of(new LabeledSpan(0, 13, "PER"), new LabeledSpan(37, 42, "LOC"));
        List<LabeledSpan> pb = List.of(new LabeledSpan(7, 13, "PER"), new LabeledSpan(37, 42, "ORG"));
        List<LabeledSpan> pc = List.of(new LabeledSpan(0, 13, "PER"), new LabeledSpan(18, 33, "PER"),
                new LabeledSpan(37, 42, "LOC"));
        try (EnsembleNer ner = Scripts.base()
                .member(new ReplayPredictionsMember("a", List.of(new Demonstration(TEXT, pa))))
                .member(new ReplayPredictionsMember("b", List.of(new Demonstration(TEXT, pb))))
                .member(new ReplayPredictionsMember("c", List.of(new Demonstration(TEXT, pc))))
                .validation(ValidationMode.UNANIMOUS).build()) {
            TracedResult t = ner.recognizeTraced(TEXT);
            Map<String, List<LabeledSpan>> rows = Ablations.of(t, ner.memberNames());
            assertThat(rows.keySet()).containsExactly("member:a", "member:b", "member:c", "union", "vote",
                    "validation");
            // each replayed member alone gives back exactly its predictions
            assertThat(rows.get("member:a")).isEqualTo(pa);
            assertThat(rows.get("member:b")).isEqualTo(pb);
            assertThat(rows.get("member:c")).isEqualTo(pc);
            assertThat(rows.get("union")).containsExactly(new LabeledSpan(0, 13, "PER"), new LabeledSpan(7, 13, "PER"),
                    new LabeledSpan(18, 33, "PER"), new LabeledSpan(37, 42, "LOC"), new LabeledSpan(37, 42, "ORG"));
            // vote: "Merkel" and "Emmanuel Macron" are PER for one member only (NONE 2 : PER 1); Paris LOC 2 : ORG 1
            assertThat(rows.get("vote")).containsExactly(new LabeledSpan(0, 13, "PER"), new LabeledSpan(37, 42, "LOC"));
            // unanimous validation: b's record has neither Angela Merkel/PER nor Paris/LOC
            assertThat(rows.get("validation")).isEmpty();
        }
    }
}
