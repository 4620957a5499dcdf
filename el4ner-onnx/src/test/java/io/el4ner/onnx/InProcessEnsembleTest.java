package io.el4ner.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Demonstration;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.NerResult;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import io.el4ner.api.Usage;
import io.el4ner.api.UsageEntry;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.EnsembleNer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Whole ensembles of in-process decoder members on the fixtures, configured as the README shows them. The fixtures'
 * weights are random: constrained (the default), their answers are still valid for every stage, so the pipeline
 * reports no unparseable answer and no invented span; unconstrained, they are not JSON. Also checked: every member
 * runs its model for every call it gets (tokens counted, no member failure), and, with the answers replaced by valid
 * ones after the model has run, how much of the pipeline's prompts the prefix cache reuses.
 */
class InProcessEnsembleTest {
    private static final Path QWEN = DecoderFixtures.dir(DecoderFixtures.GQA);
    private static final Path SMALL = DecoderFixtures.dir(DecoderFixtures.MHA);
    private static final List<String> SENTENCES = List.of("Angela Merkel visited Paris on Tuesday.",
            "Tim Cook presented the new iPhone in Cupertino.", "Shares of Tesla rose after Elon Musk spoke in Berlin.",
            "The Seine flows through Paris and Rouen.");

    @Test
    void membersByProviderName_fromModelFolders_runTheirModels() {
        try (EnsembleNer ner = EnsembleNer.builder()
                .entityType("person", "Names of people")
                .entityType("location", "Names of places")
                .member("onnx", Map.of("name", "qwen", "directory", QWEN.toString(), "maxNewTokens", 48))
                .member("onnx", Map.of("name", "small", "directory", SMALL.toString(), "maxNewTokens", 48))
                .verifier("qwen")
                .build()) {
            Usage usage;
            List<Diagnostic> problems;
            try {
                NerResult result = ner.recognize(SENTENCES.get(0));
                usage = result.usage();
                problems = result.diagnostics();
            } catch (EnsembleFailureException e) {
                usage = e.usage();
                problems = e.failures();
            }
            assertThat(problems).as("no member failed")
                    .noneMatch(d -> d.kind() == Diagnostic.Kind.MEMBER_FAILURE);
            assertThat(usage.entries()).extracting(UsageEntry::member).contains("qwen", "small");
            assertThat(usage.entries()).allSatisfy(e -> {
                assertThat(e.promptTokens()).isPositive();
                assertThat(e.completionTokens()).isPositive();
            });
        }
    }

    /** What the pipeline reports about answers it could not use, by kind, over the sentences. */
    private static Map<Diagnostic.Kind, Long> answerProblems(boolean constrained, List<String> sentences) {
        try (EnsembleNer ner = EnsembleNer.builder()
                .entityType("person", "Names of people")
                .entityType("location \"quoted\" \\ type", "A type whose name JSON must escape")
                .member("onnx", Map.of("name", "qwen", "directory", QWEN.toString(), "maxNewTokens", 64,
                        "constrained", constrained))
                .member("onnx", Map.of("name", "small", "directory", SMALL.toString(), "maxNewTokens", 64,
                        "constrained", constrained))
                .verifier("qwen")
                .build()) {
            List<Diagnostic> all = new ArrayList<>();
            for (String s : sentences) {
                try {
                    NerResult r = ner.recognize(s);
                    r.entities().forEach(e -> assertThat(s.substring(e.start(), e.end())).isEqualTo(e.text()));
                    all.addAll(r.diagnostics());
                } catch (EnsembleFailureException e) {
                    assertThat(constrained).as("constrained, every stage gets answers: %s", e.failures()).isFalse();
                    all.addAll(e.failures());
                }
            }
            assertThat(all).noneMatch(d -> d.kind() == Diagnostic.Kind.MEMBER_FAILURE);
            return all.stream().filter(d -> d.kind() == Diagnostic.Kind.UNPARSEABLE_OUTPUT
                            || d.kind() == Diagnostic.Kind.MALFORMED_ITEM || d.kind() == Diagnostic.Kind.UNANCHORED_SPAN
                            || d.kind() == Diagnostic.Kind.UNKNOWN_TYPE || d.kind() == Diagnostic.Kind.UNEXPECTED_SPAN)
                    .collect(Collectors.groupingBy(Diagnostic::kind, Collectors.counting()));
        }
    }

    @Test
    void constrainedMembers_giveThePipelineOnlyAnswersItCanUse() {
        List<String> sentences = new ArrayList<>(SENTENCES);
        sentences.add("Der \"Kölner Dom\" steht in Köln \\ Deutschland 😀, 北京 ist weit.");
        sentences.add("Zoë Saldaña (e\u0301) met 東京タワー's owner.");
        Map<Diagnostic.Kind, Long> constrained = answerProblems(true, sentences);
        Map<Diagnostic.Kind, Long> free = answerProblems(false, sentences);
        System.out.printf("in-process pipeline on %d sentences, random weights: unusable answers constrained %s, "
                + "unconstrained %s%n", sentences.size(), constrained, free);
        assertThat(constrained).isEmpty();
        assertThat(free).containsKey(Diagnostic.Kind.UNPARSEABLE_OUTPUT);
    }

    @Test
    void aSentencesStagesAndConsecutiveSentences_reuseSharedPromptPrefixes() {
        List<Demonstration> pool = List.of(
                new Demonstration("Tim Cook presented the new iPhone in Cupertino.",
                        List.of(new LabeledSpan(0, 8, "person"), new LabeledSpan(37, 46, "location"))),
                new Demonstration("Shares of Tesla rose after Elon Musk spoke in Berlin.",
                        List.of(new LabeledSpan(27, 36, "person"), new LabeledSpan(46, 52, "location"))),
                new Demonstration("Rome is the capital of Italy.",
                        List.of(new LabeledSpan(0, 4, "location"), new LabeledSpan(23, 28, "location"))));
        try (OnnxDecoderMember qwen = OnnxDecoderMember.builder().directory(QWEN).name("qwen").maxNewTokens(24)
                .build();
             EnsembleNer ner = EnsembleNer.builder()
                     .entityType("person", "Names of people, real or fictional")
                     .entityType("location", "Names of places: countries, cities, rivers")
                     .member(new AnswerKey(qwen))
                     .demonstrations(pool).demonstrationCount(2)
                     .verifier("qwen")
                     .sentenceParallelism(1)
                     .build()) {
            for (String s : SENTENCES) {
                NerResult r = ner.recognize(s);
                assertThat(r.diagnostics()).noneMatch(d -> d.kind() == Diagnostic.Kind.MEMBER_FAILURE);
                assertThat(r.usage().calls(Stage.VALIDATION)).as("all four stages ran").isPositive();
            }
            OnnxDecoderMember.Stats stats = qwen.stats();
            // The stages' system prompts repeat for every sentence; pre-extraction and extraction share theirs.
            assertThat(stats.reusedPromptTokens()).isGreaterThan(stats.promptTokens() / 4);
            System.out.printf("in-process pipeline, %d sentences x 4 stages: %d prompt tokens, %d from the prefix "
                            + "cache (%.0f%%), %d generated%n", SENTENCES.size(), stats.promptTokens(),
                    stats.reusedPromptTokens(), 100.0 * stats.reusedPromptTokens() / stats.promptTokens(),
                    stats.generatedTokens());
        }
    }

    /**
     * Runs the real member for every call (its cost, usage and caches are real), then answers with what a perfect
     * model would say about capitalised words, so that the pipeline goes through all its stages.
     */
    private record AnswerKey(OnnxDecoderMember model) implements ModelMember {
        @Override
        public String name() {
            return model.name();
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            ChatResponse real = model.chat(request);
            return new ChatResponse(answer(request.context()), real.usage(), real.model());
        }

        private static String answer(TaskContext c) {
            return switch (c.stage()) {
                case PRE_EXTRACTION, EXTRACTION -> "{\"entities\": [" + Arrays.stream(c.sentence().split("[ .]"))
                        .filter(w -> !w.isEmpty() && Character.isUpperCase(w.charAt(0)))
                        .map(w -> "\"" + w + "\"").collect(Collectors.joining(", ")) + "]}";
                case CLASSIFICATION -> "{\"labels\": [" + c.spans().stream()
                        .map(s -> "{\"span\": \"" + s + "\", \"type\": \"person\"}")
                        .collect(Collectors.joining(", ")) + "]}";
                case VALIDATION -> {
                    List<String> verdicts = new ArrayList<>();
                    for (TypedSpan t : c.typedSpans()) {
                        verdicts.add("{\"span\": \"" + t.text() + "\", \"type\": \"" + t.type() + "\", \"valid\": true}");
                    }
                    yield "{\"verdicts\": [" + String.join(", ", verdicts) + "]}";
                }
            };
        }
    }
}
