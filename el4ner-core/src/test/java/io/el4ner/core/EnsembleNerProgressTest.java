package io.el4ner.core;

import static io.el4ner.core.EnsembleFixtures.S;
import static io.el4ner.core.EnsembleFixtures.base;
import static io.el4ner.core.EnsembleFixtures.good;
import static io.el4ner.core.EnsembleFixtures.longSentence;
import static io.el4ner.core.EnsembleFixtures.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.NerResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Progress of one text: every sentence and window counted once, in order, a listener never in the way. */
class EnsembleNerProgressTest {
    @Test
    void recognize_progressCountsEverySentenceOnceInOrderFromAnyThreadNeverConcurrently() {
        String text = "Angela Merkel spoke. Paris listened. Emmanuel Macron left. Nobody stayed. Angela Merkel came back."
                + " Paris slept.";
        ScriptedMember a = good("a").delay(5);
        List<RecognitionProgress> calls = Collections.synchronizedList(new ArrayList<>());
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
        try (EnsembleNer ner = base().member(a).sentenceParallelism(4).build()) {
            NerResult plain = ner.recognize(text);
            NerResult r = ner.recognize(text, p -> {
                if (inside.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                try {
                    Thread.sleep(2); // widen the window in which a second caller would overlap
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                calls.add(p);
                threads.add(Thread.currentThread().getName());
                inside.decrementAndGet();
            });
            int calledBeforeReturn = calls.size();

            assertThat(r.entities()).isEqualTo(plain.entities());
            assertThat(r.diagnostics()).isEqualTo(plain.diagnostics());
            assertThat(calledBeforeReturn).isEqualTo(6);
            assertThat(calls).extracting(RecognitionProgress::done).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(calls).extracting(RecognitionProgress::total).containsOnly(6);
            assertThat(overlaps.get()).isZero();
            assertThat(threads).anyMatch(t -> t.startsWith("el4ner-sentence-"));
            RecognitionProgress last = calls.get(5);
            assertThat(last.remaining()).isEqualTo(Duration.ZERO);
            assertThat(last.sentencesPerSecond()).isPositive();
            for (int i = 1; i < calls.size(); i++) {
                assertThat(calls.get(i).elapsed()).isGreaterThanOrEqualTo(calls.get(i - 1).elapsed());
            }
        }
    }

    @Test
    void recognize_progressOfOneSentenceIsOneFinalCall_andBlankTextGivesNone() {
        List<RecognitionProgress> calls = new ArrayList<>();
        try (EnsembleNer ner = base().member(good("a")).build()) {
            NerResult r = ner.recognize(S, calls::add);
            assertThat(texts(r)).containsExactly("Angela Merkel/PER", "Emmanuel Macron/PER", "Paris/LOC");
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0).done()).isEqualTo(1);
            assertThat(calls.get(0).total()).isEqualTo(1);

            calls.clear();
            assertThat(ner.recognize("   ", calls::add).entities()).isEmpty();
            assertThat(calls).isEmpty();
            assertThatThrownBy(() -> ner.recognize(S, null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void recognize_aFailingProgressListenerChangesNothing() {
        String text = "Angela Merkel spoke. Paris listened. Emmanuel Macron left.";
        try (EnsembleNer ner = base().member(good("a")).sentenceParallelism(3).build()) {
            NerResult plain = ner.recognize(text);
            NerResult r = ner.recognize(text, p -> {
                throw new IllegalStateException("broken listener");
            });
            assertThat(r.entities()).isEqualTo(plain.entities());
            assertThat(r.diagnostics()).isEqualTo(plain.diagnostics());
        }
    }

    @Test
    void recognize_progressCountsTheWindowsOfALongSentence() {
        String text = longSentence("Paris listened");
        List<RecognitionProgress> calls = Collections.synchronizedList(new ArrayList<>());
        try (EnsembleNer ner = base().member(good("a").context(200)).build()) {
            NerResult r = ner.recognize(text, calls::add);
            assertThat(r.diagnostics()).extracting(Diagnostic::kind).contains(Diagnostic.Kind.WINDOWED);
            int total = calls.get(0).total();
            assertThat(total).isGreaterThan(1);
            assertThat(calls).extracting(RecognitionProgress::done)
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, total).boxed().toList());
        }
    }

    @Test
    void recognitionProgress_rateAndRemaining() {
        RecognitionProgress p = new RecognitionProgress(2, 8, Duration.ofSeconds(4));
        assertThat(p.sentencesPerSecond()).isEqualTo(0.5);
        assertThat(p.remaining()).isEqualTo(Duration.ofSeconds(12));
        assertThatThrownBy(() -> new RecognitionProgress(0, 8, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecognitionProgress(9, 8, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
