package io.el4ner.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.Entity;
import io.el4ner.api.Provenance;
import io.el4ner.core.internal.exec.CallLedger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverlapResolutionTest {
    private static Entity entity(int start, int end, String text, double confidence) {
        return new Entity(start, end, "LOC", text, confidence, new Provenance(List.of("a"), Map.of("a", "LOC"),
                Provenance.ValidationStatus.DISABLED, List.of(), List.of()));
    }

    @Test
    void resolve_overlapping_keepsMostConfidentAndReportsTheOther() {
        CallLedger ledger = new CallLedger();

        List<Entity> kept = OverlapResolution.resolve(List.of(entity(4, 8, "York", 0.5),
                entity(0, 8, "New York", 0.9), entity(12, 17, "Paris", 0.4)), ledger);

        assertThat(kept).extracting(Entity::text).containsExactly("New York", "Paris");
        assertThat(ledger.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Diagnostic.Kind.OVERLAP_RESOLVED);
            assertThat(d.detail()).isEqualTo("York");
        });
    }

    @Test
    void resolve_equalConfidence_keepsTheLongest() {
        List<Entity> kept = OverlapResolution.resolve(List.of(entity(4, 8, "York", 0.5),
                entity(0, 8, "New York", 0.5)), new CallLedger());

        assertThat(kept).extracting(Entity::text).containsExactly("New York");
    }
}
