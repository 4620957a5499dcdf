package io.el4ner.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.Stage;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.internal.exec.BatchRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchTest {

    @Test
    void recognizeBatch_deliversInInputOrderWithProgressAndFailures() {
        ScriptedMember a = new ScriptedMember("a").delay(5)
                .extracts(r -> r.context().sentence().contains("FAIL") ? "gibberish"
                        : "[\"" + r.context().sentence().split(" ")[0] + "\"]")
                .on(Stage.CLASSIFICATION, r -> EnsembleFixtures.labelsFrom(r,
                        Map.of(r.context().spans().get(0), "PER")))
                .on(Stage.VALIDATION, r -> EnsembleFixtures.verdicts(r, List.of()));
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

    /**
     * One slow text does not keep the others from starting: text 0 is answered only once every other text of its
     * window has been recognised, which a batch that waits for its oldest text before starting another never
     * allows (text 0 would then give up after 10 s and the test fail, not hang). Results still arrive in input
     * order, and while text 0 runs no more than the window of texts is started.
     */
    @Test
    void recognizeBatch_aSlowTextDoesNotHoldBackTheOthersAndTheWindowBoundsWhatIsHeld() {
        int parallelism = 2;
        int window = parallelism * BatchRunner.BATCH_WINDOW_FACTOR;
        CountDownLatch othersDone = new CountDownLatch(window - 1);
        AtomicInteger started = new AtomicInteger();
        AtomicBoolean othersFinishedFirst = new AtomicBoolean();
        AtomicInteger startedWhileText0Ran = new AtomicInteger(-1);
        ModelMember member = new ModelMember() {
            @Override
            public String name() {
                return "m";
            }

            @Override
            public ChatResponse chat(ChatRequest request) {
                String sentence = request.context().sentence();
                started.incrementAndGet(); // one extraction call per text: "[]" leaves nothing to classify
                if (sentence.equals("Text 0.")) {
                    try {
                        othersFinishedFirst.set(othersDone.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    startedWhileText0Ran.set(started.get());
                } else {
                    othersDone.countDown();
                }
                return ChatResponse.of("[]", TokenUsage.UNREPORTED);
            }
        };
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 3 * window; i++) {
            texts.add("Text " + i + ".");
        }
        List<Integer> delivered = new ArrayList<>();
        try (EnsembleNer ner = EnsembleNer.builder().entityType("PER", "").member(member).build()) {
            ner.recognizeBatch(texts, parallelism, item -> {
                assertThat(item.result()).as(item.toString()).isPresent();
                delivered.add(item.index());
            });
        }
        assertThat(othersFinishedFirst).as("texts 1..%d finished while text 0 was running", window - 1).isTrue();
        // text 0 and the window - 1 texts after it: text 0's result is not delivered, so no other starts
        assertThat(startedWhileText0Ran).hasValue(window);
        assertThat(started).hasValue(texts.size());
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            inOrder.add(i);
        }
        assertThat(delivered).isEqualTo(inOrder);
    }

    /** A listener that throws ends the batch with its exception; the texts not yet started never start. */
    @Test
    void recognizeBatch_aThrowingListenerStopsTheBatch() {
        AtomicInteger calls = new AtomicInteger();
        ScriptedMember a = new ScriptedMember("a").extracts(r -> {
            calls.incrementAndGet();
            return "[]";
        });
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add("Text " + i + ".");
        }
        try (EnsembleNer ner = EnsembleNer.builder().entityType("PER", "").member(a).build()) {
            assertThatThrownBy(() -> ner.recognizeBatch(texts, 2, item -> {
                if (item.index() == 3) {
                    throw new IllegalStateException("disk full");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("disk full");
        }
        assertThat(calls.get()).isLessThanOrEqualTo(4 + 2 * BatchRunner.BATCH_WINDOW_FACTOR);
    }
}
