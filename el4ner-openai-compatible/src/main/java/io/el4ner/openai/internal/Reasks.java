package io.el4ner.openai.internal;

import static io.el4ner.openai.internal.MemberLog.LOG;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.AnswerContract;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.api.TokenUsage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * When to re-ask a model whose answer is not its stage's JSON, and what to say. The answer shapes themselves, and the
 * JSON Schema sent for structured outputs, are {@link AnswerContract}'s.
 */
final class Reasks {
    private Reasks() {
    }

    /**
     * Asks, then re-asks while a constrained answer is not the stage's JSON: each re-ask sends the conversation so
     * far, the bad answer and a short {@linkplain #correction correction}. A re-ask that fails keeps the answer
     * before it; the usage adds up over all asks (unreported if any ask did not report it).
     *
     * @param member the member's name, for the log
     * @param stage the stage
     * @param messages the conversation
     * @param output the constraint sent, or null for none (then nothing is re-asked)
     * @param attempts the most re-asks
     * @param exchange sends a conversation and returns the answer
     * @return the last answer, with the usage of all asks
     * @throws ModelMemberException if the first ask fails, or a re-ask fails because the thread was interrupted
     */
    public static Answer ask(String member, Stage stage, List<ChatMessage> messages, StructuredOutput output,
                             int attempts, Function<List<ChatMessage>, Answer> exchange) {
        Answer answer = exchange.apply(messages);
        TokenUsage usage = answer.usage();
        for (int i = 0; output != null && i < attempts && !acceptable(stage, answer.text(), output.isChoice()); i++) {
            LOG.debug("member '{}': the {} answer is not the stage's JSON (finish reason '{}'); re-asking",
                    member, stage, Redaction.excerpt(answer.finishReason(), 100));
            List<ChatMessage> again = new ArrayList<>(messages);
            again.add(new ChatMessage(ChatMessage.Role.ASSISTANT, answer.text()));
            again.add(ChatMessage.user(correction(stage, output.isChoice())));
            Answer second;
            try {
                second = exchange.apply(again);
            } catch (ModelMemberException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                LOG.debug("member '{}': the re-ask failed ({}); returning the first answer", member,
                        Redaction.redact(e.getMessage()));
                break;
            }
            usage = add(usage, second.usage());
            answer = second;
            messages = again;
        }
        return new Answer(answer.text(), usage, answer.model(), answer.finishReason());
    }

    /**
     * Whether an answer is readable as the stage's JSON (or, for a choice, as {@code true}/{@code false}). A light
     * check, not the core's lenient parser: it decides whether to re-ask, nothing more.
     *
     * @param stage the stage
     * @param text the answer
     * @param choice whether a bare true/false was asked for
     * @return whether the answer has the expected shape
     */
    public static boolean acceptable(Stage stage, String text, boolean choice) {
        String t = stripFence(text.strip());
        if (choice) {
            String v = t.replace("\"", "").strip().toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return true;
            }
        }
        try {
            JsonNode node = Json.MAPPER.readTree(t);
            return node != null && node.isObject() && node.path(AnswerContract.key(stage)).isArray();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @param stage the stage
     * @param choice whether a bare true/false was asked for
     * @return the short correction sent with a re-ask
     */
    public static String correction(Stage stage, boolean choice) {
        String shape = choice ? "true or false" : switch (stage) {
            case PRE_EXTRACTION, EXTRACTION -> "{\"entities\": [\"span\", ...]}";
            case CLASSIFICATION -> "{\"labels\": [{\"span\": \"...\", \"type\": \"TYPE or NONE\"}, ...]}";
            case VALIDATION -> "{\"verdicts\": [{\"span\": \"...\", \"type\": \"...\", \"valid\": true or false}, ...]}";
        };
        return "Your previous answer could not be read. Answer again with " + (choice ? "" : "JSON ")
                + "only, exactly in this form: " + shape;
    }

    private static String stripFence(String t) {
        if (t.startsWith("```")) {
            int nl = t.indexOf('\n');
            int end = t.lastIndexOf("```");
            if (nl > 0 && end > nl) {
                return t.substring(nl + 1, end).strip();
            }
        }
        return t;
    }

    private static TokenUsage add(TokenUsage a, TokenUsage b) {
        if (a.reported() && b.reported()) {
            return TokenUsage.of(a.promptTokens() + b.promptTokens(), a.completionTokens() + b.completionTokens());
        }
        return TokenUsage.UNREPORTED;
    }
}
