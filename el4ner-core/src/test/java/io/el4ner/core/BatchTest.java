package io.el4ner.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchTest {

    @Test
    void recognizeBatch_deliversInInputOrderWithProgressAndFailures() {
        ScriptedMember a = new ScriptedMember("a").delay(5)
                .extracts(r -> r.context().sentence().contains("FAIL") ? "gibberish"
                        : "[\"" + r.context().sentence().split(" ")[0] + "\"]")
                .on(Stage.CLASSIFICATION, r -> EnsembleNerTest.labelsFrom(r,
                        Map.of(r.context().spans().get(0), "PER")))
                .on(Stage.VALIDATION, r -> EnsembleNerTest.verdicts(r, List.of()));
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            texts.add(i == 5 ? "FAIL here" : "Name" + i + " spoke");
        }
        texts.add(null);
        List<BatchItem> items = new ArrayList<>();
        List<BatchProgress> progress = new ArrayList<>();
        try (EnsembleNer ner = EnsembleNer.builder().entityType("PER", "").member(a).build()) {
            ner.recognizeBatch(texts, 4, new BatchListener() {
                @Override
                public void onResult(BatchItem item) {
                    items.add(item);
                }

                @Override
                public void onProgress(BatchProgress p) {
                    progress.add(p);
                }
            });
        }
        assertThat(items).extracting(BatchItem::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(items.get(5).failure()).get().isInstanceOf(EnsembleFailureException.class);
        assertThat(items.get(5).result()).isEmpty();
        assertThat(items.get(7).result().orElseThrow().entities().get(0).text()).isEqualTo("Name7");
        assertThat(items.get(12).result().orElseThrow().entities()).isEmpty();
        assertThat(progress).hasSize(13);
        assertThat(progress.get(12).completed()).isEqualTo(13);
        assertThat(progress.get(12).failed()).isEqualTo(1);
        assertThat(progress.get(12).total()).isEqualTo(13);
    }

    @Test
    void recognizeBatch_unknownSizeAndBadParallelism() {
        ScriptedMember a = new ScriptedMember("a").extracts("[]");
        try (EnsembleNer ner = EnsembleNer.builder().entityType("PER", "").member(a).build()) {
            List<BatchProgress> progress = new ArrayList<>();
            Iterable<String> lazy = () -> List.of("one", "two").iterator();
            ner.recognizeBatch(lazy, 1, new BatchListener() {
                @Override
                public void onResult(BatchItem item) {
                }

                @Override
                public void onProgress(BatchProgress p) {
                    progress.add(p);
                }
            });
            assertThat(progress).extracting(BatchProgress::total).containsOnly(-1);
            assertThatThrownBy(() -> ner.recognizeBatch(List.of(), 0, item -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
