package io.el4ner.core;

import static io.el4ner.core.EnsembleFixtures.GOLD;
import static io.el4ner.core.EnsembleFixtures.S;
import static io.el4ner.core.EnsembleFixtures.assertOffsetsHold;
import static io.el4ner.core.EnsembleFixtures.base;
import static io.el4ner.core.EnsembleFixtures.good;
import static io.el4ner.core.EnsembleFixtures.labelsFrom;
import static io.el4ner.core.EnsembleFixtures.longSentence;
import static io.el4ner.core.EnsembleFixtures.texts;
import static io.el4ner.core.EnsembleFixtures.verdicts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerException;
import io.el4ner.api.Entity;
import io.el4ner.api.NerResult;
import io.el4ner.api.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Long texts, windows, odd characters and concurrency: offsets into the whole text, output independent of timing.
 */
class EnsembleNerLongTextTest {
    @Test
    void recognize_resultDoesNotDependOnCompletionOrder() {
        List<NerResult> results = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            ScriptedMember a = good("a").delay(ThreadLocalRandom.current().nextInt(0, 30));
            ScriptedMember b = new ScriptedMember("b").delay(ThreadLocalRandom.current().nextInt(0, 30))
                    .extracts("[\"Paris\", \"Monday\", \"Angela Merkel\"]")
                    .on(Stage.CLASSIFICATION, r -> labelsFrom(r, Map.of("Paris", "ORG", "Monday", "ORG",
                            "Angela Merkel", "PER")))
                    .on(Stage.VALIDATION, r -> verdicts(r, List.of()));
            ScriptedMember c = new ScriptedMember("c").delay(ThreadLocalRandom.current().nextInt(0, 30))
                    .extracts("[\"Monday\", \"Emmanuel Macron\"]")
                    .on(Stage.CLASSIFICATION, r -> labelsFrom(r, Map.of("Paris", "LOC", "Monday", "LOC")))
                    .on(Stage.VALIDATION, r -> verdicts(r, List.of()));
            try (EnsembleNer ner = base().member(a).member(b).member(c).validation(ValidationMode.MAJORITY).build()) {
                results.add(ner.recognize(S));
            }
        }
        for (NerResult r : results) {
            assertThat(r.entities()).isEqualTo(results.get(0).entities());
            assertThat(r.diagnostics()).isEqualTo(results.get(0).diagnostics());
        }
        // Macron: PER 1 : NONE 2. Monday: NONE, ORG, LOC tie; a type beats NONE, then b comes before c.
        assertThat(texts(results.get(0))).containsExactly("Angela Merkel/PER", "Paris/LOC", "Monday/ORG");
    }

    @Test
    void recognize_longTextIsSplitIntoSentencesWithOffsetsInTheWholeText() {
        String text = "Angela Merkel met Emmanuel Macron in Paris on Monday.  Later, Emmanuel Macron flew home. "
                + "Nothing else.";
        try (EnsembleNer ner = base().member(good("a")).build()) {
            NerResult r = ner.recognize(text);
            assertOffsetsHold(r);
            assertThat(r.entities()).extracting(Entity::start).containsExactly(0, 18, 37, 62);
            assertThat(r.usage().calls(Stage.EXTRACTION)).isEqualTo(3);
        }
    }

    @Test
    void recognize_sentencesRunInParallelWithDeterministicOutput() {
        String text = "Angela Merkel spoke. Paris listened. Emmanuel Macron left. Nobody stayed.";
        java.util.concurrent.CountDownLatch together = new java.util.concurrent.CountDownLatch(2);
        ScriptedMember a = new ScriptedMember("a")
                .extracts(r -> {
                    together.countDown();
                    try {
                        // two sentences must be in extraction at the same time, or this waits out
                        assertThat(together.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 20));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    String sentence = r.context().sentence();
                    return sentence.startsWith("Nobody") ? "[]"
                            : "[\"" + sentence.substring(0, sentence.length() - 1) + "\", \"Zz" + sentence.charAt(0) + "\"]";
                })
                .on(Stage.CLASSIFICATION, r -> labelsFrom(r, Map.of("Angela Merkel spoke", "PER",
                        "Paris listened", "LOC", "Emmanuel Macron left", "PER")))
                .on(Stage.VALIDATION, r -> verdicts(r, List.of()));
        List<NerResult> runs = new ArrayList<>();
        try (EnsembleNer ner = base().member(a).sentenceParallelism(4).build()) {
            for (int i = 0; i < 3; i++) {
                runs.add(ner.recognize(text));
            }
        }
        for (NerResult r : runs) {
            assertOffsetsHold(r);
            assertThat(texts(r)).containsExactly("Angela Merkel spoke/PER", "Paris listened/LOC",
                    "Emmanuel Macron left/PER");
            // reports come in text order, whatever order the sentences finished in
            assertThat(r.diagnostics()).isEqualTo(runs.get(0).diagnostics());
            assertThat(r.diagnostics()).extracting(Diagnostic::detail).containsExactly("ZzA", "ZzP", "ZzE");
        }
    }

    @Test
    void recognize_sentencesLongerThanTheContextAreWindowedNotTruncated() {
        String text = longSentence("Paris listened");
        ScriptedMember a = good("a").context(200);
        try (EnsembleNer ner = base().member(a).build()) {
            NerResult r = ner.recognize(text);
            assertOffsetsHold(r);
            assertThat(texts(r)).containsExactly("Angela Merkel/PER", "Paris/LOC");
            assertThat(r.diagnostics()).anySatisfy(d -> assertThat(d.kind()).isEqualTo(Diagnostic.Kind.WINDOWED));
            List<String> windows = a.requests().stream().filter(q -> q.context().stage() == Stage.EXTRACTION)
                    .map(q -> q.context().sentence()).toList();
            assertThat(windows).hasSizeGreaterThan(1)
                    .allSatisfy(w -> assertThat(a.estimateTokens(w)).isLessThanOrEqualTo(50));
            // every word of the text is in some window
            for (String word : text.split(" ")) {
                assertThat(windows).anySatisfy(w -> assertThat(w).contains(word));
            }
        }
    }

    @Test
    void recognize_aFailedWindowInterruptsTheWindowsStillRunning() throws Exception {
        String text = longSentence("the end");
        java.util.concurrent.CountDownLatch interrupted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        ScriptedMember a = new ScriptedMember("a").context(200).extracts(r -> {
            if (r.context().sentence().startsWith("filler0 ")) {
                // fail only once another window is inside its call (on a loaded machine it may not have begun yet,
                // and a window that has not begun is cancelled, not interrupted)
                try {
                    running.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the first window fails");
            }
            running.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
            }
            return "[]";
        });
        try (EnsembleNer ner = base().member(a).build()) {
            assertThatThrownBy(() -> ner.recognize(text)).isInstanceOf(El4nerException.class);
            // before, the other windows went on calling members in the background until their own timeout
            assertThat(interrupted.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void recognize_anAnswerListingThousandsOfSpansIsLookedUpOnlyInPart() {
        StringBuilder sentence = new StringBuilder("Angela Merkel");
        StringBuilder answer = new StringBuilder("[\"Angela Merkel\"");
        for (int i = 0; i < 2_000; i++) {
            sentence.append(" w").append(i);
            answer.append(", \"w").append(i).append('"');
        }
        ScriptedMember a = new ScriptedMember("a").extracts(answer.append(']').toString())
                .on(Stage.CLASSIFICATION, r -> labelsFrom(r, GOLD))
                .on(Stage.VALIDATION, r -> verdicts(r, List.of()));
        try (EnsembleNer ner = base().member(a).build()) {
            NerResult r = ner.recognize(sentence.toString());
            assertThat(texts(r)).containsExactly("Angela Merkel/PER");
            assertThat(r.diagnostics()).anySatisfy(d -> assertThat(d.message())
                    .contains("more than 256 distinct spans").contains("the other 1745 (blank ones included) dropped"));
            // the labelled spans are the 256 looked up: the first and 255 words
            assertThat(a.requests().stream().filter(q -> q.context().stage() == Stage.CLASSIFICATION)
                    .mapToInt(q -> q.context().spans().size()).max().orElse(0)).isEqualTo(256);
        }
    }

    @Test
    void recognize_unicodeOffsetsAreStringIndices() {
        String text = "😀 José Ñúñez visited 東京 with Zoë\u0301.";
        ScriptedMember a = new ScriptedMember("a").extracts("[\"José Ñúñez\", \"東京\", \"Zoë\u0301\", \"Zoë\"]")
                .on(Stage.CLASSIFICATION, r -> labelsFrom(r, Map.of("José Ñúñez", "PER", "東京", "LOC",
                        "Zoë\u0301", "PER")))
                .on(Stage.VALIDATION, r -> verdicts(r, List.of()));
        try (EnsembleNer ner = base().member(a).build()) {
            NerResult r = ner.recognize(text);
            assertOffsetsHold(r);
            assertThat(texts(r)).containsExactly("José Ñúñez/PER", "東京/LOC", "Zoë\u0301/PER");
            assertThat(r.entities().get(0).start()).isEqualTo(3);
        }
    }

    @Test
    void recognize_controlCharactersDoNotBreakAnything() {
        String text = "Angela\u0000 Merkel met\u0007 Emmanuel Macron in Paris\u001b[0m on Monday.";
        try (EnsembleNer ner = base().member(good("a")).build()) {
            NerResult r = ner.recognize(text);
            assertOffsetsHold(r);
            assertThat(texts(r)).contains("Emmanuel Macron/PER", "Paris/LOC");
        }
    }

    @Test
    void recognize_isThreadSafe() throws Exception {
        try (EnsembleNer ner = base().member(good("a")).member(good("b")).build()) {
            NerResult expected = ner.recognize(S);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                List<java.util.concurrent.Future<NerResult>> fs = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    fs.add(pool.submit(() -> ner.recognize(S)));
                }
                for (var f : fs) {
                    assertThat(f.get().entities()).isEqualTo(expected.entities());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
