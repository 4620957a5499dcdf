package io.el4ner.eval.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Demonstration;
import io.el4ner.api.Entity;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.NerResult;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.ValidationMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationMembersTest {
    static final Demonstration GOLD_1 = new Demonstration("Angela Merkel met Emmanuel Macron in Paris .",
            List.of(new LabeledSpan(0, 13, "PER"), new LabeledSpan(18, 33, "PER"), new LabeledSpan(37, 42, "LOC")));
    static final Demonstration GOLD_2 = new Demonstration("Siemens opened an office in Munich .",
            List.of(new LabeledSpan(0, 7, "ORG"), new LabeledSpan(28, 34, "LOC")));

    private static EnsembleNer.Builder base() {
        return EnsembleNer.builder()
                .entityType("PER", "people")
                .entityType("LOC", "places")
                .entityType("ORG", "organisations");
    }

    static List<String> show(NerResult r) {
        return r.entities().stream().map(e -> e.text() + "/" + e.type()).toList();
    }

    static List<LabeledSpan> spans(NerResult r) {
        return r.entities().stream().map(e -> new LabeledSpan(e.start(), e.end(), e.type())).toList();
    }

    @Test
    void replayPredictions_alone_reproducesItsPredictions() {
        Demonstration predicted = new Demonstration(GOLD_1.text(),
                List.of(new LabeledSpan(0, 13, "PER"), new LabeledSpan(37, 42, "ORG")));
        try (EnsembleNer ner = base()
                .member(new ReplayPredictionsMember("run-a", List.of(predicted))).build()) {
            NerResult r = ner.recognize(GOLD_1.text());
            assertThat(spans(r)).isEqualTo(predicted.spans());
            assertThat(r.degraded()).isFalse();
            // a sentence without a record fails the member, loudly
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ner.recognize(GOLD_2.text())))
                    .hasMessageContaining("no member answered");
        }
    }

    @Test
    void replayPredictions_three_goThroughUnionAndVote() {
        ReplayPredictionsMember a = new ReplayPredictionsMember("a", List.of(new Demonstration(GOLD_1.text(),
                List.of(new LabeledSpan(0, 13, "PER"), new LabeledSpan(37, 42, "LOC")))));
        ReplayPredictionsMember b = new ReplayPredictionsMember("b", List.of(new Demonstration(GOLD_1.text(),
                List.of(new LabeledSpan(18, 33, "PER"), new LabeledSpan(37, 42, "ORG")))));
        ReplayPredictionsMember c = new ReplayPredictionsMember("c", List.of(new Demonstration(GOLD_1.text(),
                List.of(new LabeledSpan(0, 13, "PER"), new LabeledSpan(18, 33, "PER"), new LabeledSpan(37, 42, "LOC")))));
        try (EnsembleNer ner = base().member(a).member(b).member(c)
                .validation(ValidationMode.MAJORITY).build()) {
            NerResult r = ner.recognize(GOLD_1.text());
            // Macron: a says NONE (not in its record), b and c say PER; Paris: LOC 2 : ORG 1
            assertThat(show(r)).containsExactly("Angela Merkel/PER", "Emmanuel Macron/PER", "Paris/LOC");
            Entity paris = r.entities().get(2);
            assertThat(paris.provenance().labels()).containsEntry("b", "ORG");
            assertThat(paris.provenance().rejectedBy()).containsExactly("b");
        }
    }

    @Test
    void simulated_noErrors_answersGold() {
        SimulatedMember m = new SimulatedMember("sim", List.of(GOLD_1, GOLD_2),
                new SimulatedMember.Rates(0, 0, 0, 0, 0), 7);
        try (EnsembleNer ner = base().member(m).build()) {
            assertThat(spans(ner.recognize(GOLD_1.text()))).isEqualTo(GOLD_1.spans());
            assertThat(spans(ner.recognize(GOLD_2.text()))).isEqualTo(GOLD_2.spans());
        }
    }

    @Test
    void simulated_seed_isSeededAndOrderIndependent() {
        SimulatedMember.Rates rates = new SimulatedMember.Rates(0.3, 0.3, 0.3, 0.5, 0.2);
        List<List<String>> first = new ArrayList<>();
        try (EnsembleNer ner = base()
                .member(new SimulatedMember("s", List.of(GOLD_1, GOLD_2), rates, 42)).build()) {
            first.add(show(ner.recognize(GOLD_1.text())));
            first.add(show(ner.recognize(GOLD_2.text())));
        }
        List<List<String>> second = new ArrayList<>();
        try (EnsembleNer ner = base()
                .member(new SimulatedMember("s", List.of(GOLD_2, GOLD_1), rates, 42)).build()) {
            second.add(0, show(ner.recognize(GOLD_2.text())));
            second.add(0, show(ner.recognize(GOLD_1.text())));
        }
        assertThat(second).isEqualTo(first);
    }

    @Test
    void simulated_errorRates_areRealised() {
        List<Demonstration> gold = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            gold.add(new Demonstration("Person" + i + " visited City" + i + " today .",
                    List.of(new LabeledSpan(0, ("Person" + i).length(), "PER"))));
        }
        SimulatedMember missing = new SimulatedMember("m", gold, new SimulatedMember.Rates(0.3, 0, 0, 0, 0), 1);
        SimulatedMember confused = new SimulatedMember("c", gold, new SimulatedMember.Rates(0, 0, 0.2, 0, 0), 1);
        int found = 0;
        int typedRight = 0;
        try (EnsembleNer a = base().member(missing).validation(ValidationMode.NONE).build();
             EnsembleNer b = base().member(confused).validation(ValidationMode.NONE).build()) {
            for (Demonstration d : gold) {
                found += a.recognize(d.text()).entities().size();
                typedRight += (int) b.recognize(d.text()).entities().stream().filter(e -> e.type().equals("PER"))
                        .count();
            }
        }
        assertThat(found / 2000.0).isBetween(0.66, 0.74);
        assertThat(typedRight / 2000.0).isBetween(0.76, 0.84);
    }
}
