package io.el4ner.core;

import static io.el4ner.core.EnsembleFixtures.S;
import static io.el4ner.core.EnsembleFixtures.base;
import static io.el4ner.core.EnsembleFixtures.good;
import static io.el4ner.core.EnsembleFixtures.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.NerResult;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Provenance;
import io.el4ner.api.Stage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Failing, slow and absent members: the ensemble degrades, then says why it cannot go on. */
class EnsembleNerFailureTest {
    @Test
    void recognize_memberFailuresDegradeButDoNotStopTheStage() {
        ScriptedMember broken = new ScriptedMember("broken").extracts("{\"entities\": [\"Paris\"]}")
                .on(Stage.CLASSIFICATION, r -> {
                    throw new NonRetriableBackendException("broken", "the key was rejected");
                });
        ScriptedMember garbage = new ScriptedMember("garbage").extracts("I am not sure what you mean.")
                .on(Stage.CLASSIFICATION, "Paris is a city");
        try (EnsembleNer ner = base().member(broken).member(garbage).member(good("ok")).verifier("ok").build()) {
            NerResult r = ner.recognize(S);
            assertThat(texts(r)).containsExactly("Angela Merkel/PER", "Emmanuel Macron/PER", "Paris/LOC");
            assertThat(r.degraded()).isTrue();
            assertThat(r.diagnostics()).anySatisfy(d -> {
                assertThat(d.kind()).isEqualTo(Diagnostic.Kind.MEMBER_FAILURE);
                assertThat(d.member()).isEqualTo("broken");
                assertThat(d.stage()).isEqualTo(Stage.CLASSIFICATION);
                assertThat(d.message()).contains("the key was rejected");
            });
            assertThat(r.diagnostics()).filteredOn(d -> d.kind() == Diagnostic.Kind.UNPARSEABLE_OUTPUT)
                    .extracting(Diagnostic::member, Diagnostic::stage)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("garbage", Stage.EXTRACTION),
                            org.assertj.core.groups.Tuple.tuple("garbage", Stage.CLASSIFICATION));
            assertThat(r.usage().entries()).filteredOn(e -> e.member().equals("broken")
                    && e.stage() == Stage.CLASSIFICATION).singleElement()
                    .satisfies(e -> assertThat(e.failures()).isEqualTo(1));
        }
    }

    @Test
    void recognize_timeoutCountsAsFailureAndInterruptsTheCall() throws InterruptedException {
        ScriptedMember slow = good("slow").delay(2_000);
        try (EnsembleNer ner = base().member(slow).member(good("fast")).verifier("fast")
                .timeout(Duration.ofMillis(200)).build()) {
            long t0 = System.nanoTime();
            NerResult r = ner.recognize(S);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1_500));
            assertThat(texts(r)).hasSize(3);
            assertThat(r.degraded()).isTrue();
            assertThat(r.diagnostics()).anySatisfy(d -> assertThat(d.message()).contains("did not answer within 200 ms"));
            assertThat(slow.awaitInterrupt(1_000)).as("the timed-out call was interrupted").isTrue();
        }
    }

    @Test
    void recognize_noMemberLeftIsAClearException() {
        ScriptedMember a = new ScriptedMember("a").extracts("no idea");
        ScriptedMember b = new ScriptedMember("b").on(Stage.EXTRACTION, r -> {
            throw new IllegalStateException("boom");
        });
        try (EnsembleNer ner = base().member(a).member(b).build()) {
            assertThatThrownBy(() -> ner.recognize(S)).isInstanceOf(EnsembleFailureException.class)
                    .hasMessageContaining("EXTRACTION")
                    .satisfies(e -> assertThat(((EnsembleFailureException) e).failures())
                            .extracting(Diagnostic::member).containsExactlyInAnyOrder("a", "b"));
        }
    }

    @Test
    void recognize_validatorFailureKeepsEntitiesUnverified() {
        ScriptedMember a = good("a").on(Stage.VALIDATION, r -> {
            throw new IllegalStateException("verifier down");
        });
        try (EnsembleNer ner = base().member(a).build()) {
            NerResult r = ner.recognize(S);
            assertThat(texts(r)).hasSize(3);
            assertThat(r.entities()).allSatisfy(e -> assertThat(e.provenance().validation())
                    .isEqualTo(Provenance.ValidationStatus.UNVERIFIED));
            assertThat(r.degraded()).isTrue();
        }
    }

    @Test
    void recognize_blankInputCallsNoMember() {
        ScriptedMember a = good("a");
        try (EnsembleNer ner = base().member(a).build()) {
            assertThatThrownBy(() -> ner.recognize(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ner.recognizeTraced(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ner.recognize(null, p -> { })).isInstanceOf(NullPointerException.class);
            assertThat(ner.recognize("").entities()).isEmpty();
            assertThat(ner.recognize("").text()).isEmpty();
            assertThat(ner.recognize(" \n\t ").entities()).isEmpty();
            assertThat(a.requests()).isEmpty();
        }
    }
}
