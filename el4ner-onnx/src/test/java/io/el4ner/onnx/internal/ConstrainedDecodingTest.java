package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.onnx.DecoderFixtures;
import io.el4ner.onnx.OnnxDecoderMember;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.NonRetriableBackendException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code onnx} member's constrained answers, on the random-weight fixtures: whatever the weights say, every
 * answer of a JSON request is JSON of its stage's contract that core's parser reads with no problem and no invented
 * span; decoding stops when the JSON closes; an answer cut by its limit is closed after its last whole item and says
 * so; plain requests, and every request of a member built with {@code constrained(false)}, decode freely.
 */
class ConstrainedDecodingTest {
    private static OnnxDecoderMember gqa;
    private static OnnxDecoderMember mha;

    @BeforeAll
    static void load() {
        gqa = OnnxDecoderMember.builder().directory(DecoderFixtures.dir(DecoderFixtures.GQA)).maxBatchSize(16)
                .seed(5).build();
        mha = OnnxDecoderMember.builder().directory(DecoderFixtures.dir(DecoderFixtures.MHA)).maxBatchSize(16)
                .seed(6).build();
    }

    @AfterAll
    static void close() {
        gqa.close();
        mha.close();
    }

    static ChatRequest request(TaskContext context, int maxTokens, double temperature, boolean json) {
        return new ChatRequest(List.of(ChatMessage.system("Answer with JSON for the " + context.stage() + " stage."),
                ChatMessage.user("Sentence: " + context.sentence())), new GenerationOptions(temperature, maxTokens,
                json), context);
    }

    /**
     * The property: 10,000 constrained answers from the random-weight fixtures on random sentences (emoji,
     * CJK, combining marks, quotes, backslashes and control characters, which JSON must escape), every stage, greedy
     * and sampled: 0 parse failures, 0 invented spans, 0 unknown types. The limit (48 to 96 tokens) always leaves
     * room to open the answer's list, so that an answer cut by it still closes to whole items.
     */
    @Test
    void chatAll_tenThousandConstrainedAnswersParseWithNoInventedSpanOrType() {
        SplittableRandom random = new SplittableRandom(2026);
        int answers = 0;
        int values = 0;
        int closed = 0;
        long tokens = 0;
        long before = gqa.stats().constrainedAnswers() + mha.stats().constrainedAnswers();
        while (answers < 10_000) {
            OnnxDecoderMember member = random.nextBoolean() ? gqa : mha;
            List<TaskContext> contexts = new ArrayList<>();
            List<ChatRequest> requests = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                TaskContext context = JsonConstraintFixtures.context(random);
                contexts.add(context);
                double temperature = new double[] {0, 0.7, 1.5, 3}[random.nextInt(4)];
                requests.add(request(context, 48 + random.nextInt(49), temperature, true));
            }
            List<ChatResponse> responses = member.chatAll(requests);
            for (int i = 0; i < responses.size(); i++) {
                ChatResponse r = responses.get(i);
                TaskContext context = contexts.get(i);
                values += JsonConstraintFixtures.check(AnswerContract.of(context), context, r.text());
                tokens += r.usage().completionTokens();
                if (r.truncated()) {
                    assertThat(r.truncation()).contains("closed it after its last whole item");
                    closed++;
                }
                answers++;
            }
        }
        assertThat(gqa.stats().constrainedAnswers() + mha.stats().constrainedAnswers() - before).isEqualTo(answers);
        assertThat(values).as("the answers hold values, not only empty lists").isGreaterThan(answers / 4);
        System.out.printf("constrained answers from random weights: %d answers, %d values, %d closed at their limit, "
                + "%.1f tokens per answer; 0 parse failures, 0 invented spans%n", answers, values, closed,
                tokens / (double) answers);
    }

    @Test
    void chat_constrainedAnswerStopsWhenItsJsonCloses() {
        TaskContext context = new TaskContext(Stage.EXTRACTION, "Angela Merkel visited Paris.", List.of(), List.of(),
                List.of(), List.of());
        long steps = gqa.stats().decodeSteps();
        ChatResponse r = gqa.chat(request(context, 400, 0, true));
        JsonConstraintFixtures.check(AnswerContract.of(context), context, r.text());
        assertThat(r.truncated()).isFalse();
        // No end token after the closing brace: decoding stopped with the token that closed the JSON.
        assertThat(r.usage().completionTokens()).isLessThan(400);
        assertThat(gqa.stats().decodeSteps() - steps).as("one step fewer than the tokens: the prefill picks the first")
                .isEqualTo(r.usage().completionTokens() - 1);
        assertThat(r.text()).endsWith("}");
    }

    @Test
    void chat_plainRequestsAndAnUnconstrainedMemberDecodeFreely() {
        TaskContext context = new TaskContext(Stage.EXTRACTION, "Angela Merkel visited Paris.", List.of(), List.of(),
                List.of(), List.of());
        try (OnnxDecoderMember free = OnnxDecoderMember.builder().directory(DecoderFixtures.dir(DecoderFixtures.GQA))
                .constrained(false).build()) {
            assertThat(free.settings().constrained()).isFalse();
            assertThat(gqa.settings().constrained()).isTrue();
            String freeJson = free.chat(request(context, 32, 0, true)).text();
            String plain = gqa.chat(request(context, 32, 0, false)).text();
            String constrained = gqa.chat(request(context, 32, 0, true)).text();
            assertThat(plain).as("a plain request is not constrained").isEqualTo(freeJson);
            assertThat(constrained).isNotEqualTo(freeJson).startsWith("{");
            assertThat(free.stats().constrainedAnswers()).isZero();
        }
    }

    @Test
    void chat_answerCutByItsLimitIsClosedAfterItsLastWholeItem() {
        SplittableRandom random = new SplittableRandom(3);
        int closedWithItems = 0;
        long closedBefore = mha.stats().closedAnswers();
        int cut = 0;
        for (int i = 0; i < 200 && closedWithItems < 5; i++) {
            TaskContext context = new TaskContext(Stage.PRE_EXTRACTION, "Paris, Rome and Berlin are three "
                    + "capitals; \"Tokyo\" is a fourth one.", List.of(), List.of(), List.of(), List.of());
            ChatResponse r = mha.chat(request(context, 12 + random.nextInt(30), 1.0 + random.nextDouble(), true));
            if (!r.truncated()) {
                continue;
            }
            cut++;
            assertThat(r.truncation()).contains("reached its limit of");
            if (r.truncation().contains("nothing of it could be kept")) {
                assertThat(r.text()).doesNotContain("[");
                continue;
            }
            assertThat(r.truncation()).contains("closed it after its last whole item");
            int values = JsonConstraintFixtures.check(AnswerContract.of(context), context, r.text());
            closedWithItems += values > 0 ? 1 : 0;
        }
        assertThat(closedWithItems).isEqualTo(5);
        assertThat(mha.stats().closedAnswers() - closedBefore).isEqualTo(cut);
    }

    /**
     * A tokenizer with no token that writes <code>{</code> (a SentencePiece vocabulary without byte fallback) can
     * write no answer at all: the call fails at once with a clear, non-retriable error, and never decodes.
     */
    @Test
    void chat_noAnswerTheTokensCanWriteFailsClearlyWithoutDecoding(@TempDir Path dir) throws Exception {
        Path model = DecoderFixtures.copy(DecoderFixtures.MHA, dir.resolve("no-brace"));
        ObjectNode tokenizer = TokenBytesTest.sentencePiece(List.of("}", "[", "]", "\"", "entities", ":", "▁Paris",
                "▁", "P", "a", "r", "i", "s", "."), false);
        tokenizer.put("version", "1.0");
        tokenizer.withArray("added_tokens").forEach(t -> ((ObjectNode) t).put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false));
        tokenizer.putObject("decoder").put("type", "Metaspace").put("replacement", "▁")
                .put("prepend_scheme", "always").put("split", true);
        tokenizer.putNull("truncation");
        tokenizer.putNull("padding");
        tokenizer.putNull("normalizer");
        tokenizer.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁")
                .put("prepend_scheme", "always").put("split", true);
        tokenizer.putNull("post_processor");
        Files.writeString(model.resolve("tokenizer.json"), new ObjectMapper().writeValueAsString(tokenizer));
        try (OnnxDecoderMember member = OnnxDecoderMember.builder().directory(model).build()) {
            TaskContext context = new TaskContext(Stage.EXTRACTION, "Paris.", List.of(), List.of(), List.of(),
                    List.of());
            assertThatThrownBy(() -> member.chat(request(context, 16, 0, true)))
                    .isInstanceOf(NonRetriableBackendException.class)
                    .hasMessageContaining("cannot constrain this answer")
                    .hasMessageContaining("cannot write every byte");
            assertThat(member.stats().promptTokens()).as("nothing was decoded").isZero();
            assertThat(member.chat(request(context, 4, 0, false)).usage().completionTokens())
                    .as("a plain request still decodes").isPositive();
        }
    }

    @Test
    void chat_answerCutBeforeItsListOpensIsReturnedAsWrittenAndSaysNothingWasKept() {
        TaskContext context = new TaskContext(Stage.VALIDATION, "Paris.", List.of(), List.of(), List.of(),
                List.of());
        ChatResponse r = mha.chat(request(context, 2, 0, true));
        assertThat(r.truncation()).contains("before its JSON list opened: nothing of it could be kept");
        assertThat(r.text()).doesNotContain("[");
        assertThat(r.usage().completionTokens()).isEqualTo(2);
    }
}
