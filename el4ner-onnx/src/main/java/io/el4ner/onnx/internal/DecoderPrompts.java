package io.el4ner.onnx.internal;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.NonRetriableBackendException;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a chat request into a request of the decoding loop: renders the messages with the model's chat template,
 * tokenizes the prompt, checks that it and its answer fit the context and the KV cache budget, picks the random
 * source (seeded from the prompt when the member has a seed) and starts the answer's constraint.
 */
public final class DecoderPrompts {
    private static final Logger log = LoggerFactory.getLogger("io.el4ner.onnx.OnnxDecoderMember");

    private final DecoderModel model;
    private final int maxNewTokens;
    private final Long seed;
    private final DecoderFailures failures;

    /**
     * @param model the loaded model
     * @param maxNewTokens the most tokens of one answer
     * @param seed the sampling seed, or null for none
     * @param failures how failures are reported
     */
    public DecoderPrompts(DecoderModel model, int maxNewTokens, Long seed, DecoderFailures failures) {
        this.model = model;
        this.maxNewTokens = maxNewTokens;
        this.seed = seed;
        this.failures = failures;
    }

    /**
     * @param text a text
     * @return its tokens, with no special tokens added
     */
    public long[] encode(String text) {
        return model.tokenizer().encode(text, false, false).getIds();
    }

    /**
     * Renders, tokenizes and checks one request.
     *
     * @param request the request
     * @param deadline when the call must end, {@link System#nanoTime()}, or {@link Long#MAX_VALUE}
     * @return the loop's request, not yet submitted
     * @throws NonRetriableBackendException if the template fails, the prompt does not fit, or no answer the
     *     request's contract allows can be written
     */
    public DecodeRequest prepare(ChatRequest request, long deadline) {
        String name = model.name();
        DecoderDirectory files = model.files();
        DecodingLoop loop = model.loop();
        warnOfSpecialTokens(request);
        String prompt;
        try {
            prompt = model.template().render(request.messages(), true);
        } catch (RuntimeException e) {
            throw new NonRetriableBackendException(name, "the chat template of model '" + files.name()
                    + "' failed: " + e.getMessage(), e);
        }
        long[] ids = encode(prompt);
        int context = files.contextTokens();
        if (ids.length == 0) {
            throw new NonRetriableBackendException(name, "the chat template of model '" + files.name()
                    + "' rendered an empty prompt");
        }
        if (ids.length >= context) {
            throw new NonRetriableBackendException(name, "the prompt has " + ids.length + " tokens, but the "
                    + "context of model '" + files.name() + "' is " + context + " tokens (max_position_embeddings in "
                    + "config.json), and one must be left for the answer; nothing was cut. Shorten the prompt (fewer "
                    + "demonstrations, "
                    + "shorter type descriptions or sentences: el4ner splits a sentence by contextTokens()) or use "
                    + "a model with a longer context");
        }
        int wanted = Math.min(request.options().maxTokens(), maxNewTokens);
        int room = context - ids.length;
        int maxNew = Math.min(wanted, room);
        long kvBytes = (long) (ids.length + maxNew) * loop.bytesPerToken();
        if (kvBytes > loop.kvBudgetBytes()) {
            throw new NonRetriableBackendException(name, "the prompt of " + ids.length + " tokens and up to "
                    + maxNew + " new ones need " + DecoderModel.mebibytes(kvBytes) + " MiB of KV cache for model '"
                    + files.name() + "', more than its budget of " + DecoderModel.mebibytes(loop.kvBudgetBytes())
                    + " MiB; " + (model.kvLowered()
                    ? "the budget was lowered to fit the JVM's direct memory: raise -XX:MaxDirectMemorySize (by "
                    + "default -Xmx)" : "raise kvCacheMegabytes") + " or lower maxTokens");
        }
        SplittableRandom random = seed == null ? new SplittableRandom() : new SplittableRandom(mix(seed, ids));
        return new DecodeRequest(ids, maxNew, room < wanted, request.options().temperature(), random,
                deadline, constraint(request));
    }

    /** The constraint of a request's answer, or null for a request that is not constrained. */
    private ConstraintState constraint(ChatRequest request) {
        if (model.tokenBytes() == null || !request.options().jsonOutput()) {
            return null;
        }
        AnswerContract contract = AnswerContract.of(request.context());
        try {
            return JsonConstraint.start(contract, model.tokenBytes());
        } catch (NoValidAnswerException e) {
            throw failures.noValidAnswer(e);
        }
    }

    /** A WARN when a message's text spells a special token: the tokenizer reads it as that control token. */
    private void warnOfSpecialTokens(ChatRequest request) {
        List<String> specialTokens = model.specialTokens();
        for (ChatMessage m : request.messages()) {
            for (String token : specialTokens) {
                if (m.content().contains(token)) {
                    // the token's text only: the message is the caller's data
                    log.warn("Member '{}': a {} message contains the text of the special token {} of model '{}'; "
                            + "it is tokenized as that control token (as transformers does), so text from a "
                            + "document can end a message or open a new role", model.name(),
                            m.role().name().toLowerCase(java.util.Locale.ROOT), token, model.files().name());
                    return;
                }
            }
        }
    }

    private static long mix(long seed, long[] ids) {
        long h = seed;
        for (long id : ids) {
            h = (h ^ id) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
        }
        return h;
    }
}
