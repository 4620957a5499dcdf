package io.el4ner.core.internal.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.EntityType;
import io.el4ner.api.Provenance;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelNormalizerTest {
    private final LabelNormalizer labels = new LabelNormalizer(List.of(new EntityType("PER", ""),
            new EntityType("Location", "")));

    @Test
    void normalize_caseAndPadding_returnsTypeName() {
        assertThat(labels.normalize(" per ")).contains("PER");
        assertThat(labels.normalize("LOCATION")).contains("Location");
    }

    @Test
    void normalize_bioTag_returnsTypeName() {
        assertThat(labels.normalize("B-PER")).contains("PER");
        assertThat(labels.normalize("i-location")).contains("Location");
        assertThat(labels.normalize("B-ORG")).isEmpty();
    }

    @Test
    void normalize_noneVariants_returnsNotAnEntity() {
        for (String none : List.of("none", "O", "null", "Not an entity", "N/A", "no")) {
            assertThat(labels.normalize(none)).as(none).contains(Provenance.NOT_AN_ENTITY);
        }
    }

    @Test
    void normalize_unknown_isEmpty() {
        assertThat(labels.normalize("politician")).isEmpty();
    }
}
