package io.el4ner.onnx.internal;

import io.el4ner.api.ChatResponse;
import io.el4ner.api.TokenUsage;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a finished request of the decoding loop into the member's answer: the text (the constraint's bytes for a
 * constrained answer, the tokenizer's decoding otherwise), the usage, and for an answer cut by a limit how it was cut
 * (a constrained answer closed after its last whole item). Counts the constrained and closed answers.
 */
public final class DecoderAnswers {
    private static final Logger log = LoggerFactory.getLogger("io.el4ner.onnx.OnnxDecoderMember");

    private final String name;
    private final DecoderDirectory files;
    private final AtomicLong constrainedAnswers = new AtomicLong();
    private final AtomicLong closedAnswers = new AtomicLong();

    /**
     * @param name the member's name
     * @param files the model that answers
     */
    public DecoderAnswers(String name, DecoderDirectory files) {
        this.name = name;
        this.files = files;
    }

    /**
     * @param q the request
     * @param o its outcome
     * @param promptTokens the prompt's length in tokens
     * @param decode the tokenizer's decoding of generated tokens, without special tokens
     * @return the response; an answer cut because the context was full is logged as a WARN (counts only)
     */
    public ChatResponse answer(DecodeRequest q, DecodingLoop.Outcome o, int promptTokens,
                               Function<long[], String> decode) {
        if (o.finish() == DecodingLoop.Finish.CONTEXT) {
            // Counts only: prompts and answers are the caller's data and stay out of logs.
            log.warn("Member '{}': an answer was cut after {} tokens because the context of model '{}' "
                    + "({} tokens) was full with a prompt of {} tokens; el4ner reads what was generated. A "
                    + "shorter prompt or a model with a longer context leaves room for the whole answer",
                    name, o.generated(), files.name(), files.contextTokens(), promptTokens);
        }
        TokenUsage usage = TokenUsage.of(promptTokens, o.generated());
        ConstraintState constraint = q.constraint();
        String limit = o.finish() == DecodingLoop.Finish.CONTEXT ? "the model's context of " + files.contextTokens()
                + " tokens was full" : "it reached its limit of " + o.generated() + " new tokens";
        if (constraint == null) {
            boolean cut = o.finish() == DecodingLoop.Finish.MAX_TOKENS || o.finish() == DecodingLoop.Finish.CONTEXT;
            return new ChatResponse(decode.apply(o.tokens()), usage, files.name(), cut ? "the answer stopped because "
                    + limit + ", before an end token" : "");
        }
        constrainedAnswers.incrementAndGet();
        if (o.finish() == DecodingLoop.Finish.COMPLETE) {
            return new ChatResponse(constraint.text(), usage, files.name());
        }
        closedAnswers.incrementAndGet();
        Optional<ConstraintState.Closed> closed = constraint.closed();
        if (closed.isEmpty()) {
            return new ChatResponse(constraint.text(), usage, files.name(), "the answer stopped because " + limit
                    + ", before its JSON list opened: nothing of it could be kept");
        }
        int dropped = closed.get().droppedBytes();
        return new ChatResponse(closed.get().text(), usage, files.name(), "the answer stopped because " + limit
                + ", before its JSON closed; the decoder closed it after its last whole item" + (dropped == 0 ? ""
                : " (the " + dropped + " bytes of the item being written were left out)"));
    }

    /** @return answers decoded under their contract */
    public long constrainedAnswers() {
        return constrainedAnswers.get();
    }

    /** @return of those, answers cut by a limit before they were complete */
    public long closedAnswers() {
        return closedAnswers.get();
    }
}
