package io.el4ner.core;

import static io.el4ner.core.EnsembleFixtures.S;
import static io.el4ner.core.EnsembleFixtures.base;
import static io.el4ner.core.EnsembleFixtures.good;
import static io.el4ner.core.EnsembleFixtures.verdicts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.Entity;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.Stage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Building, prompts, traces and closing an ensemble. */
class EnsembleNerBuildTest {
    @Test
    void build_rejectsBadConfigurations() {
        assertThatThrownBy(() -> EnsembleNer.builder().member(good("a")).build())
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("entity types");
        assertThatThrownBy(() -> base().build()).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("no members");
        assertThatThrownBy(() -> base().member(good("a")).member(good("a")).build())
                .hasMessageContaining("two members are named 'a'");
        assertThatThrownBy(() -> base().member(good("a")).verifier("zz").build())
                .hasMessageContaining("verifier 'zz' is not a member");
        assertThatThrownBy(() -> base().member(good("a")).memberWeights(Map.of("zz", 1.0)).build())
                .hasMessageContaining("'zz'");
        assertThatThrownBy(() -> base().entityType("NONE", "").member(good("a")).build())
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> base().member(good("a"))
                .demonstrations(List.of(new Demonstration("Bob ran", List.of(new LabeledSpan(0, 3, "PERSON")))))
                .build()).hasMessageContaining("'PERSON'");
        assertThatThrownBy(() -> base().member("no-such-provider", Map.of("apiKey", "sk-secret")).build())
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("no ModelMemberProvider named 'no-such-provider'")
                .hasMessageNotContaining("sk-secret");
        assertThatThrownBy(() -> base().retriever("token-overlap", Map.of()).retriever("token-overlap", Map.of()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> base().member(good("a")).aggregator(new io.el4ner.core.internal.builtin.VotingAggregator(1,
                Map.of())).extractionQuorum(2).build()).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("default aggregator");
    }

    @Test
    void recognize_customPromptTemplateIsUsed() {
        ScriptedMember a = good("a");
        PromptTemplate mine = new PromptTemplate(Stage.EXTRACTION, "mine-1", "",
                "Types:\n{{types}}\nText: {{sentence}}\nJSON:");
        try (EnsembleNer ner = base().member(a).prompt(mine).build()) {
            ner.recognize("Angela Merkel arrived with {{types}}");
            ChatRequest r = a.requests().get(0);
            assertThat(r.messages()).hasSize(1);
            // the sentence's own "{{types}}" is not expanded
            assertThat(r.messages().get(0).content()).startsWith("Types:\n- PER: people")
                    .endsWith("Text: Angela Merkel arrived with {{types}}\nJSON:");
        }
        assertThatThrownBy(() -> new PromptTemplate(Stage.EXTRACTION, "x", "", "no sentence here"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{{sentence}}");
        assertThatThrownBy(() -> new PromptTemplate(Stage.EXTRACTION, "x", "{{typo}}", "{{sentence}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{{typo}}");
    }

    @Test
    void provenanceLabels_andTraceMaps_areInEnsembleOrder() {
        // Member names deliberately not in alphabetical order, and enough of them that a hash order would differ.
        List<String> names = List.of("zeta", "c", "alpha", "m9", "b", "m10", "omega", "a");
        EnsembleNer.Builder builder = base();
        for (String n : names) {
            builder.member(good(n));
        }
        try (EnsembleNer ner = builder.build()) {
            TracedResult t = ner.recognizeTraced(S);
            assertThat(t.result().entities()).isNotEmpty();
            for (Entity e : t.result().entities()) {
                assertThat(e.provenance().labels().keySet()).containsExactlyElementsOf(names);
            }
            SentenceTrace trace = t.sentences().get(0);
            assertThat(trace.extracted().keySet()).containsExactlyElementsOf(names);
            for (Map<String, String> byMember : trace.labels().values()) {
                assertThat(byMember.keySet()).containsExactlyElementsOf(names);
            }
        }
    }

    @Test
    void recognizeTraced_describesEveryStagePerSentence() {
        ScriptedMember a = good("a").on(Stage.VALIDATION, r -> verdicts(r, List.of("Paris")));
        ScriptedMember b = good("b").extracts("[\"Emmanuel Macron\", \"Monday\"]");
        String text = "Hello there. " + S;
        try (EnsembleNer ner = base().member(a).member(b).build()) {
            TracedResult t = ner.recognizeTraced(text);
            assertThat(t.result().entities()).isEqualTo(ner.recognize(text).entities());
            assertThat(t.sentences()).hasSize(2);
            SentenceTrace second = t.sentences().get(1);
            assertThat(second.start()).isEqualTo(13);
            assertThat(second.sentence()).isEqualTo(S);
            assertThat(second.extracted().get("b")).extracting(r -> text.substring(r.start(), r.end()))
                    .containsExactly("Emmanuel Macron", "Monday");
            assertThat(second.extracted().get("a")).hasSize(3);
            assertThat(second.labels().get("Monday")).containsEntry("a", "NONE").containsEntry("b", "NONE");
            assertThat(second.decided()).containsEntry("Paris", "LOC").containsEntry("Monday", "NONE");
            assertThat(second.rejected()).containsExactly("Paris");
        }
    }

    @Test
    void close_closesOnlyWhatTheEnsembleCreated() {
        ScriptedMember mine = good("a");
        EnsembleNer ner = base().member(mine).build();
        ner.close();
        ner.close();
        assertThat(mine.closed()).isFalse();
        assertThatThrownBy(() -> ner.recognize(S)).isInstanceOf(IllegalStateException.class);
    }
}
