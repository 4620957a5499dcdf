package io.el4ner.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesTest {
    private static final Provenance P = new Provenance(List.of("a"), Map.of("a", "PER"),
            Provenance.ValidationStatus.DISABLED, List.of(), List.of());

    @Test
    void provenance_keepsTheLabelsInTheGivenOrderAndIsUnmodifiable() {
        // Map.copyOf's iteration order depends on a per-JVM random salt: with 12 members at least one of these
        // orders would come out differently in some run. The copy must keep the ensemble order it was given.
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> members = List.of("zeta", "alpha", "mid", "beta", "omega", "m10", "m2", "x", "a1", "qwen",
                "llama", "gemma");
        for (int i = 0; i < members.size(); i++) {
            labels.put(members.get(i), i % 2 == 0 ? "PER" : Provenance.NOT_AN_ENTITY);
        }
        Provenance p = new Provenance(List.of("zeta"), labels, Provenance.ValidationStatus.DISABLED, List.of(),
                List.of());
        assertThat(p.labels().keySet()).containsExactlyElementsOf(members);
        assertThat(p.labels()).isEqualTo(labels);
        assertThat(new ArrayList<>(p.sortedLabels().keySet())).isSorted();
        labels.put("late", "LOC");
        assertThat(p.labels()).doesNotContainKey("late");
        assertThatThrownBy(() -> p.labels().put("x", "LOC")).isInstanceOf(UnsupportedOperationException.class);
        Map<String, String> withNull = new LinkedHashMap<>();
        withNull.put("a", null);
        assertThatNullPointerException().isThrownBy(() -> new Provenance(List.of(), withNull,
                Provenance.ValidationStatus.DISABLED, List.of(), List.of()));
    }

    @Test
    void entity_checksOffsetsAgainstItsText() {
        assertThatThrownBy(() -> new Entity(3, 2, "PER", "x", 1, P)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Entity(0, 3, "PER", "ab", 1, P)).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> new Entity(0, 2, "PER", "ab", 1.5, P)).hasMessageContaining("confidence");
        assertThatNullPointerException().isThrownBy(() -> new Entity(0, 2, null, "ab", 1, P));
        assertThat(new Entity(0, 2, "PER", "ab", 1, P).shift(5).start()).isEqualTo(5);
    }

    @Test
    void nerResult_rejectsEntitiesThatAreNotSubstringsAndSortsTheRest() {
        String text = "Bob met Ann";
        assertThatThrownBy(() -> new NerResult(text, List.of(new Entity(0, 3, "PER", "Ann", 1, P)), List.of(),
                Usage.NONE)).hasMessageContaining("not a substring");
        assertThatThrownBy(() -> new NerResult(text, List.of(new Entity(9, 12, "PER", "Ann", 1, P)), List.of(),
                Usage.NONE)).hasMessageContaining("not a substring");
        List<Entity> mutable = new ArrayList<>(List.of(new Entity(8, 11, "PER", "Ann", 1, P),
                new Entity(0, 3, "PER", "Bob", 1, P)));
        NerResult r = new NerResult(text, mutable, List.of(), Usage.NONE);
        mutable.clear();
        assertThat(r.entities()).extracting(Entity::text).containsExactly("Bob", "Ann");
        assertThat(r.degraded()).isFalse();
    }

    @Test
    void nerResult_degradedWhenAMemberAnswerIsMissing() {
        Diagnostic failure = new Diagnostic(Diagnostic.Kind.MEMBER_FAILURE, Stage.EXTRACTION, "a", "timeout", "");
        Diagnostic dropped = new Diagnostic(Diagnostic.Kind.UNANCHORED_SPAN, Stage.EXTRACTION, "a", "x", "Zed");
        assertThat(new NerResult("t", List.of(), List.of(dropped), Usage.NONE).degraded()).isFalse();
        assertThat(new NerResult("t", List.of(), List.of(dropped, failure), Usage.NONE).degraded()).isTrue();
    }

    @Test
    void usage_mergesAndSums() {
        Usage u = new Usage(List.of(new UsageEntry(Stage.EXTRACTION, "b", 1, 0, 10, 2, 0, 5),
                new UsageEntry(Stage.EXTRACTION, "a", 1, 1, 0, 0, 1, 7),
                new UsageEntry(Stage.EXTRACTION, "b", 1, 0, 20, 3, 0, 6)), 12);
        assertThat(u.entries()).extracting(UsageEntry::member).containsExactly("a", "b");
        assertThat(u.entries().get(1)).isEqualTo(new UsageEntry(Stage.EXTRACTION, "b", 2, 0, 30, 5, 0, 11));
        assertThat(u.totalCalls()).isEqualTo(3);
        assertThat(u.totalTokens()).isEqualTo(35);
        assertThat(u.plus(u).totalCalls()).isEqualTo(6);
        assertThat(u.plus(u).wallMillis()).isEqualTo(24);
    }

    @Test
    void demonstration_spansMustLieInsideTheText() {
        assertThatThrownBy(() -> new Demonstration("Bob", List.of(new LabeledSpan(0, 4, "PER"))))
                .hasMessageContaining("outside");
        Demonstration d = new Demonstration("Bob met Ann",
                List.of(new LabeledSpan(8, 11, "PER"), new LabeledSpan(0, 3, "PER")));
        assertThat(d.spans()).extracting(d::surface).containsExactly("Bob", "Ann");
    }

    @Test
    void tokenUsage_unreportedHasNoCounts() {
        assertThat(TokenUsage.UNREPORTED.reported()).isFalse();
        assertThatThrownBy(() -> new TokenUsage(3, 0, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenUsage.of(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void exceptions_tellRetriableFromPermanent() {
        assertThat(new RetriableBackendException("m", "503").isRetriable()).isTrue();
        assertThat(new MemberTimeoutException("m", "slow").isRetriable()).isTrue();
        assertThat(new NonRetriableBackendException("m", "401").isRetriable()).isFalse();
        assertThat(new ModelMemberException("m", "?").memberName()).isEqualTo("m");
        assertThat(new NonRetriableBackendException("m", "401")).isInstanceOf(El4nerException.class);
    }

    @Test
    void entityType_namesMustBeClean() {
        assertThatThrownBy(() -> new EntityType(" PER", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EntityType("PER\nLOC", "")).isInstanceOf(IllegalArgumentException.class);
        assertThat(EntityType.of("creative-work").description()).isEmpty();
    }
}
