package io.el4ner.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.Entity;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Graphemes;
import io.el4ner.api.NerResult;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.internal.exec.CallLedger;
import io.el4ner.core.internal.exec.MemberInvoker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 10's hostile answers through the whole pipeline: bounded time, bounded output, correct results. */
class HostilePipelineTest {
    static final String S = EnsembleFixtures.S;

    /** A member that gives the same answer in every stage. */
    static ScriptedMember answering(String name, String answer) {
        return new ScriptedMember(name).extracts(answer).on(Stage.CLASSIFICATION, answer)
                .on(Stage.VALIDATION, answer);
    }

    static long diagnosticChars(NerResult r) {
        return r.diagnostics().stream().mapToLong(d -> d.message().length() + d.detail().length()
                + d.member().length()).sum();
    }

    static String ones(int chars) {
        return "{\"entities\": [" + "1,".repeat(chars / 2 - 10) + "1]}";
    }

    /** Defect 2: every unreadable item used to repeat the whole answer (12 KB printed 69 MB; 80 KB ran out). */
    @Test
    void recognize_manyUnreadableItems_listsTwentyAndCountsTheRest() {
        for (int size : new int[] {12 * 1024, 80 * 1024, 1 << 20}) {
            String answer = ones(size);
            int items = (size / 2 - 10) + 1;
            try (EnsembleNer ner = EnsembleFixtures.base().member(EnsembleFixtures.good("a"))
                    .member(answering("b", answer)).validation(ValidationMode.MAJORITY).build()) {
                NerResult r = ner.recognize(S);
                assertThat(EnsembleFixtures.texts(r)).containsExactly("Angela Merkel/PER", "Emmanuel Macron/PER",
                        "Paris/LOC");
                assertThat(diagnosticChars(r)).as("size %d", size).isLessThan(answer.length() * 10L);
                assertThat(diagnosticChars(r)).as("size %d", size).isLessThan(200_000);
                for (Stage stage : List.of(Stage.EXTRACTION, Stage.CLASSIFICATION, Stage.VALIDATION)) {
                    List<Diagnostic> malformed = r.diagnostics().stream().filter(d -> d.stage() == stage
                            && d.member().equals("b") && d.kind() == Diagnostic.Kind.MALFORMED_ITEM).toList();
                    assertThat(malformed).as("%s at %d", stage, size).hasSize(CallLedger.MAX_PER_KIND + 1);
                    assertThat(malformed.get(CallLedger.MAX_PER_KIND).message())
                            .startsWith("… and " + (items - CallLedger.MAX_PER_KIND) + " more malformed_item");
                    assertThat(malformed.get(0).detail()).hasSizeLessThan(Diagnostic.MAX_DETAIL_CHARS + 40);
                }
            }
        }
    }

    static Stream<Arguments> answers() {
        return HostileAnswersTest.answers();
    }

    /** Defect 3 and the target: no answer up to 1 MiB takes long or prints more than 10 times its size. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void recognize_hostileAnswer_staysFastBoundedAndFailureFree(String name, String answer) {
        try (EnsembleNer ner = EnsembleFixtures.base().member(EnsembleFixtures.good("a"))
                .member(answering("b", answer)).validation(ValidationMode.MAJORITY)
                .timeout(Duration.ofSeconds(30)).build()) {
            long t0 = System.nanoTime();
            NerResult r = ner.recognize(S);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("pipeline with hostile answer '%s' (%d chars): %d ms, %d diagnostics, %d chars%n",
                    name, answer.length(), millis, r.diagnostics().size(), diagnosticChars(r));
            assertThat(millis).isLessThan(HostileAnswersTest.BOUND_MILLIS * 3);
            assertThat(diagnosticChars(r)).isLessThan(answer.length() * 10L + 10_000);
            assertThat(r.usage().entries()).noneMatch(u -> u.failures() > 0);
            EnsembleFixtures.assertOffsetsHold(r);
        }
    }

    /** The deadline covers reading the answer: a parse that takes too long is a timed-out call. */
    @Test
    void callAll_slowParsing_isATimedOutCall() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            MemberInvoker invoker = new MemberInvoker(pool, 4, Duration.ofMillis(200));
            ModelMember quick = new ScriptedMember("m").extracts("{\"entities\": [\"Paris\"]}");
            ChatRequest request = new ChatRequest(List.of(io.el4ner.api.ChatMessage.user("x")),
                    GenerationOptions.greedyJson(16),
                    new TaskContext(Stage.EXTRACTION, S, List.of(), List.of(), List.of(), List.of()));
            CallLedger ledger = new CallLedger();
            long t0 = System.nanoTime();
            Map<ModelMember, MemberInvoker.Answer<String>> answers = invoker.callAll(Stage.EXTRACTION, List.of(quick),
                    m -> request, text -> {
                        try {
                            Thread.sleep(5_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return text;
                    }, ledger);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2_000));
            assertThat(answers).isEmpty();
            assertThat(ledger.diagnostics()).singleElement().satisfies(d -> {
                assertThat(d.kind()).isEqualTo(Diagnostic.Kind.MEMBER_FAILURE);
                assertThat(d.message()).contains("did not answer within 200 ms (reading its answer included)");
            });
        } finally {
            pool.shutdownNow();
        }
    }

    /** Defect 9: weights of 1e308 summed to Infinity and the NaN confidence made recognition throw. */
    @Test
    void recognize_weightsWhoseSumOverflows_givesTheRightConfidence() {
        ScriptedMember b = EnsembleFixtures.good("b").on(Stage.CLASSIFICATION, r -> EnsembleFixtures.labelsFrom(r,
                Map.of("Angela Merkel", "PER", "Emmanuel Macron", "PER", "Paris", "ORG")));
        try (EnsembleNer ner = EnsembleFixtures.base().member(EnsembleFixtures.good("a")).member(b)
                .member(EnsembleFixtures.good("c")).memberWeights(Map.of("a", 1e308, "b", 1e308, "c", 1e308))
                .build()) {
            NerResult r = ner.recognize(S);
            assertThat(EnsembleFixtures.texts(r)).containsExactly("Angela Merkel/PER", "Emmanuel Macron/PER",
                    "Paris/LOC");
            Entity paris = r.entities().get(2);
            assertThat(paris.confidence()).isCloseTo(2.0 / 3, within(1e-12));
            assertThat(r.entities().get(0).confidence()).isEqualTo(1.0);
        }
    }

    /** Defect 12: an entity started or ended inside an emoji ZWJ sequence; such a span is now dropped, reported. */
    @Test
    void recognize_spansCuttingAVisibleCharacter_areDroppedAndReported() {
        String family = "👩\u200d👩\u200d👧";
        String sentence = "Angela Merkel met the " + family + " family in Paris.";
        String cut = "👩\u200d";
        ScriptedMember a = new ScriptedMember("a")
                .extracts("{\"entities\": [\"Angela Merkel\", \"" + cut + "\", \"\u200d👧\", \"" + family + "\"]}")
                .on(Stage.CLASSIFICATION, r -> EnsembleFixtures.labelsFrom(r, Map.of("Angela Merkel", "PER",
                        family, "ORG")))
                .on(Stage.VALIDATION, r -> EnsembleFixtures.verdicts(r, List.of()));
        try (EnsembleNer ner = EnsembleFixtures.base().member(a).build()) {
            NerResult r = ner.recognize(sentence);
            assertThat(EnsembleFixtures.texts(r)).containsExactly("Angela Merkel/PER", family + "/ORG");
            for (Entity e : r.entities()) {
                assertThat(Graphemes.isBoundary(sentence, e.start())).isTrue();
                assertThat(Graphemes.isBoundary(sentence, e.end())).isTrue();
            }
            assertThat(r.diagnostics()).filteredOn(d -> d.kind() == Diagnostic.Kind.UNANCHORED_SPAN)
                    .extracting(Diagnostic::detail).containsExactly(cut, "\u200d👧");
            EnsembleFixtures.assertOffsetsHold(r);
        }
    }

    /** A member answering null or throwing is one failure, whatever its text. */
    @Test
    void recognize_memberAnsweringGarbage_neitherCrashesNorFloodsDiagnostics() {
        ModelMember weird = new ModelMember() {
            @Override
            public String name() {
                return "weird";
            }

            @Override
            public ChatResponse chat(ChatRequest request) {
                return ChatResponse.of("\u0000".repeat(100_000), TokenUsage.of(1, 1));
            }
        };
        try (EnsembleNer ner = EnsembleFixtures.base().member(EnsembleFixtures.good("a")).member(weird).build()) {
            NerResult r = ner.recognize(S);
            assertThat(r.entities()).hasSize(3);
            assertThat(diagnosticChars(r)).isLessThan(10_000);
        }
    }
}
