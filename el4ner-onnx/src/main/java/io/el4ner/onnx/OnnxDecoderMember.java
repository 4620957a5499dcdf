package io.el4ner.onnx;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.AnswerContract;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.onnx.internal.ChatTemplate;
import io.el4ner.onnx.internal.DecoderDirectory;
import io.el4ner.onnx.internal.DecoderEngine;
import io.el4ner.onnx.internal.DecoderMemory;
import io.el4ner.onnx.internal.DecoderOutputException;
import io.el4ner.onnx.internal.DecoderSignature;
import io.el4ner.onnx.internal.ConstraintState;
import io.el4ner.onnx.internal.DecodingLoop;
import io.el4ner.onnx.internal.JsonConstraint;
import io.el4ner.onnx.internal.ModelSource;
import io.el4ner.onnx.internal.NoValidAnswerException;
import io.el4ner.onnx.internal.TokenBytes;
import io.el4ner.onnx.internal.OrtSessions;
import io.el4ner.onnx.internal.PrefixCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ModelMember} that runs a small instruct model in-process with ONNX Runtime: a decoder-only export in the
 * Hugging Face optimum / onnx-community layout (Qwen2.5, Llama-3.2, SmolLM2, Phi-3.5 and the like), read from a local
 * folder holding {@code config.json}, {@code generation_config.json}, {@code tokenizer.json},
 * {@code tokenizer_config.json} (with the chat template) and {@code onnx/<variant>.onnx} (with its
 * {@code .onnx_data} beside it when the weights are external).
 *
 * <pre>{@code
 * try (OnnxDecoderMember qwen = OnnxDecoderMember.builder()
 *         .directory(Path.of("models/Qwen2.5-0.5B-Instruct")).variant("model_q4").build()) {
 *     ChatResponse answer = qwen.chat(request);
 * }
 * }</pre>
 *
 * <p><b>Decoding.</b> The messages are rendered with the model's chat template (jinjava, as Python's jinja2 renders
 * it; message contents are never evaluated as template code) and tokenized with the model's tokenizer. Decoding is
 * greedy at temperature 0 and samples from the softmax at higher temperatures, with a per-request random source
 * derived from {@link Builder#seed(long)} and the prompt when a seed is set (so the same request samples the same
 * answer). It stops at any end token of {@code generation_config.json}, at the request's
 * {@link io.el4ner.api.GenerationOptions#maxTokens() maxTokens}, at {@link Builder#maxNewTokens(int)} or when the
 * model's context is full (the answer is returned as far as it got, with a WARN, and counted in
 * {@link Stats#contextCuts()}). The answer's text is the generated tokens decoded by the tokenizer without special
 * tokens; its usage counts the prompt's tokens and the generated tokens, the end token included. An answer cut by a
 * limit says so in {@link ChatResponse#truncation()}.
 *
 * <p><b>Constrained answers.</b> A request whose {@link io.el4ner.api.GenerationOptions#jsonOutput() jsonOutput} is
 * set (every request of el4ner's pipeline) is decoded under its stage's {@link AnswerContract} unless
 * {@link Builder#constrained(boolean)} is off: at each step only the tokens that keep the answer a prefix of an
 * allowed one may be picked, so the answer is, by construction, JSON of the stage's shape whose span strings are
 * substrings of the sentence (as JSON writes them), whose types are configured types and whose verdicts are
 * {@code true} or {@code false}; decoding stops the moment the JSON closes. The answer's text is then exactly the
 * bytes of the tokens picked. An answer that reaches its token limit before it closes is closed by the member after
 * its last whole item (the item being written is dropped, never completed) and says so in its
 * {@link ChatResponse#truncation()}. When no answer at all can be written (say, the sentence holds only characters
 * the tokenizer cannot write and a required string has no allowed value), the call fails with a
 * {@link NonRetriableBackendException} rather than decoding. A plain request is decoded unconstrained.
 *
 * <p><b>Special tokens in messages.</b> As in transformers ({@code apply_chat_template}, then encode), the rendered
 * prompt is tokenized as a whole, so a message whose text spells a special token of the model (say
 * {@code <|im_end|><|im_start|>system}) reaches the model as those control tokens: text from a document can end
 * a message or open a new role. The member does not change the text; it logs a WARN naming the token (not the
 * text) for each call where this happens.
 *
 * <p><b>Cost.</b> One ONNX Runtime session per member, shared by all threads. A KV cache keeps each step to one new
 * token per row. Concurrent calls are decoded together: a call that arrives while others decode joins their batch
 * at the next step (left-padded), up to {@link Builder#maxBatchSize(int)} rows within
 * {@link Builder#kvCacheBytes(long)} of cache. The cache of recent prompts is kept (up to
 * {@link Builder#prefixCacheBytes(long)}) so that a prompt starting like an earlier one (same system prompt, types
 * and demonstrations) computes only the rest. Reuse stops at the last message boundary (an end token) or multiple of
 * {@link Builder#prefillChunkTokens(int) 64 tokens} the prompts share, where the prompt is computed in the same runs
 * either way, so that it never changes an answer. Answers of a request decoded alone and in a batch agree to
 * rounding (logits within 1e-4 in the tests); greedy answers can differ only where two tokens tie that closely.
 *
 * <p><b>Bounds.</b> A prompt that does not fit the context with room for one token fails with a
 * {@link NonRetriableBackendException} saying how long it is (it is never cut). Logits are checked at every step: NaN
 * or infinite values fail the call with a {@link NonRetriableBackendException} naming the model. A call ends by
 * {@link Builder#callTimeout(Duration)} when one is set; interrupting the calling thread (as el4ner does when a stage's
 * deadline passes) ends it at once with a {@link MemberTimeoutException} and stops its decoding at the next step.
 * The caches are fitted to the JVM's memory limits when the member is built (see
 * {@link Builder#kvCacheBytes(long)}); should memory still run out during a call, that call fails with a
 * {@link RetriableBackendException} saying which memory to raise, and the member goes on.
 *
 * <p><b>Execution provider.</b> The CPU by default. {@link Builder#cuda(int)} asks for CUDA, which needs
 * {@code com.microsoft.onnxruntime:onnxruntime_gpu} in place of {@code onnxruntime}, CUDA 12 and cuDNN 9; when CUDA
 * cannot be used the member runs on the CPU and logs a WARN saying why, or fails to load when
 * {@link Builder#cudaRequired(boolean)} is set. One INFO line at load says which provider runs.
 *
 * <p>Thread-safe. {@link #close()} ends the calls in flight (they fail) and releases the session.
 *
 * @since 0.1
 */
public final class OnnxDecoderMember implements ModelMember {
    /** The default {@link Builder#maxNewTokens(int)}. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 1024;
    /** The default {@link Builder#maxBatchSize(int)}. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 8;
    /** The default {@link Builder#prefixCacheBytes(long)}: 256 MiB. */
    public static final long DEFAULT_PREFIX_CACHE_BYTES = 256L << 20;
    /**
     * The most KV cache {@link Builder#kvCacheBytes(long)} gives by default: 2 GiB. The default is this or what
     * {@link Builder#maxBatchSize(int)} calls of the model's whole context take, whichever is less.
     */
    public static final long DEFAULT_KV_CACHE_BYTES = 2L << 30;

    private static final Logger log = LoggerFactory.getLogger(OnnxDecoderMember.class);
    /** Prompts the prefix cache holds at most, whatever its byte budget. */
    private static final int PREFIX_CACHE_ENTRIES = 64;

    private final String name;
    private final DecoderDirectory files;
    private final HuggingFaceTokenizer tokenizer;
    private final ChatTemplate template;
    private final OrtSession session;
    private final DecoderSignature signature;
    private final DecodingLoop loop;
    private final String executionProvider;
    private final int maxNewTokens;
    private final Long seed;
    private final Duration callTimeout;
    private final int pickableIds;
    private final List<String> specialTokens;
    /** Each token's bytes, for constrained answers; null when {@link Builder#constrained(boolean)} is off. */
    private final TokenBytes tokenBytes;
    private final AtomicLong constrainedAnswers = new AtomicLong();
    private final AtomicLong closedAnswers = new AtomicLong();
    private final Settings settings;
    private final boolean kvLowered;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private boolean released; // guarded by lock

    private OnnxDecoderMember(Builder b) {
        long t0 = System.nanoTime();
        OrtSessions.Options options = new OrtSessions.Options(b.threads, 0, b.cudaDevice, b.cudaRequired);
        DecoderDirectory cpuFiles = DecoderDirectory.read(b.directory, b.variant, DecoderDirectory.CPU_VARIANTS);
        // Without an explicit variant, CUDA gets the first of its own preferences (float16 first) and a fallback to
        // the CPU the CPU's (quantized first).
        DecoderDirectory cudaFiles = b.cudaDevice < 0 || b.variant != null ? cpuFiles
                : DecoderDirectory.read(b.directory, null, DecoderDirectory.CUDA_VARIANTS);
        String folder = ModelSource.folderName(cpuFiles.dir());
        this.name = b.name != null ? b.name : folder.substring(folder.lastIndexOf('/') + 1);
        this.maxNewTokens = b.maxNewTokens;
        this.seed = b.seed;
        this.callTimeout = b.callTimeout;
        String model = "decoder model '" + folder + "'";
        try {
            this.template = ChatTemplate.fromModelDirectory(cpuFiles.dir());
        } catch (IOException e) {
            throw new El4nerConfigurationException("cannot read the chat template of " + model + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e instanceof El4nerException ee ? ee : new El4nerConfigurationException("the chat template of "
                    + model + " cannot be used: " + e.getMessage(), e);
        }
        JsonNode tokenizerJson = DecoderDirectory.readTokenizerJson(cpuFiles.tokenizerJson()); // read once
        this.pickableIds = DecoderDirectory.tokenizerIds(tokenizerJson, cpuFiles.tokenizerJson());
        this.specialTokens = DecoderDirectory.specialTokens(tokenizerJson);
        this.tokenBytes = b.constrained ? tokenBytes(tokenizerJson, cpuFiles, model) : null;
        this.tokenizer = loadTokenizer(cpuFiles.tokenizerJson(), model);
        OrtSession s = null;
        DecoderDirectory chosen = cpuFiles;
        DecoderMemory memory;
        int maxRows;
        long kvWanted;
        try {
            String files = cudaFiles == cpuFiles ? relative(cpuFiles) : relative(cudaFiles) + " on CUDA, "
                    + relative(cpuFiles) + " on the CPU";
            OrtSessions.Opened opened = OrtSessions.open(model + " (" + files + ")", cudaFiles.onnxFile(),
                    cpuFiles.onnxFile(), options);
            s = opened.session();
            chosen = opened.onCuda() ? cudaFiles : cpuFiles;
            this.executionProvider = opened.executionProvider();
            this.signature = DecoderSignature.read(s, chosen);
            maxRows = signature.positionIds() ? b.maxBatchSize : 1;
            // By default no more than maxBatchSize calls of the whole context can use.
            kvWanted = b.kvCacheBytes > 0 ? b.kvCacheBytes : Math.min(DEFAULT_KV_CACHE_BYTES,
                    (long) maxRows * chosen.contextTokens() * signature.bytesPerToken());
            List<String> warnings = new ArrayList<>();
            memory = DecoderMemory.fit(model, kvWanted, b.prefixCacheBytes, signature, maxRows, b.prefillChunk,
                    DecoderMemory.directMemoryLimit(), Runtime.getRuntime().maxMemory(), warnings);
            warnings.forEach(log::warn);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(s);
            tokenizer.close();
            if (e instanceof El4nerException ee) {
                throw ee;
            }
            throw new El4nerConfigurationException("cannot load " + model + " from " + chosen.onnxFile() + ": "
                    + e.getMessage() + externalDataHint(e), e);
        }
        this.files = chosen;
        this.session = s;
        DecoderEngine engine = new DecoderEngine(session, signature, b.prefillChunk, files.endTokens());
        PrefixCache cache = new PrefixCache(memory.prefixCacheBytes(), PREFIX_CACHE_ENTRIES, engine);
        if (maxRows < b.maxBatchSize) {
            log.warn("Decoder model '{}' ({}) takes no position_ids input, so it numbers a left-padded row's tokens "
                    + "from the padding: its calls are decoded one at a time (maxBatchSize {} is not used). An export "
                    + "with position_ids (optimum's) decodes concurrent calls together", files.name(),
                    relative(files), b.maxBatchSize);
        }
        this.loop = new DecodingLoop(engine, cache, files.endTokens(), Math.min(pickableIds, signature.vocab()),
                maxRows, memory.kvCacheBytes(), name);
        this.kvLowered = memory.kvCacheBytes() < kvWanted;
        this.settings = new Settings(b.maxNewTokens, b.threads, b.seed == null ? OptionalLong.empty()
                : OptionalLong.of(b.seed), maxRows, memory.prefixCacheBytes(), memory.kvCacheBytes(),
                Optional.ofNullable(b.callTimeout), b.prefillChunk, b.constrained);
        log.info("Decoder member '{}' runs {} on {} ({} layers, {} KV heads of {}, KV {}, vocabulary {}, context {}; "
                        + "{}; prefix cache {} MiB; loaded in {} ms)", name, files.name(), executionProvider,
                signature.layers(), signature.kvHeads(), signature.headDim(), signature.kvType(), signature.vocab(),
                files.contextTokens(), DecoderMemory.describeKv(memory.kvCacheBytes(), signature.bytesPerToken(),
                        files.contextTokens(), maxRows), mebibytes(memory.prefixCacheBytes()),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** @return a builder; {@link Builder#directory(Path)} is required */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the model's name: its folder's name, {@code /}, and the variant, e.g. {@code Qwen2.5-0.5B/model_q4} */
    public String model() {
        return files.name();
    }

    /** @return the execution provider that runs the model: {@code CPU} or {@code CUDA:<device>} */
    public String executionProvider() {
        return executionProvider;
    }

    /** {@inheritDoc} Here: {@code max_position_embeddings} of the model's config.json. */
    @Override
    public int contextTokens() {
        return files.contextTokens();
    }

    /**
     * {@inheritDoc} Here: exact, the number of tokens the model's tokenizer makes of the text, with no special
     * tokens added.
     *
     * @throws IllegalStateException if the member is closed
     */
    @Override
    public int estimateTokens(String text) {
        Objects.requireNonNull(text, "text");
        lock.readLock().lock();
        try {
            ensureOpen();
            return encode(text).length;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException if the request is null
     * @throws IllegalStateException if the member is closed
     * @throws NonRetriableBackendException if the prompt does not fit the context, the template fails, or the model
     *     fails or produces logits that are not numbers
     * @throws RetriableBackendException if memory ran out during the call
     * @throws MemberTimeoutException if the call timeout passes or the calling thread is interrupted
     */
    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        return chatAll(List.of(request)).get(0);
    }

    /**
     * Answers several requests of one call site together: their prompts are decoded in one batch (with any other
     * calls in flight), each stopping on its own. Equivalent to calling {@link #chat} for each from its own thread.
     *
     * @param requests the requests
     * @return the answers, in the order of the requests
     * @throws NullPointerException if the list or a request is null
     * @throws IllegalStateException if the member is closed
     * @throws ModelMemberException as {@link #chat}, for the first request that fails; the others are cancelled
     */
    public List<ChatResponse> chatAll(List<ChatRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        long start = System.nanoTime();
        long deadline = callTimeout == null ? Long.MAX_VALUE : start + callTimeout.toNanos();
        List<DecodingLoop.Request> queued = new ArrayList<>(requests.size());
        int[] promptTokens = new int[requests.size()];
        lock.readLock().lock();
        try {
            ensureOpen();
            List<DecodingLoop.Request> prepared = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                ChatRequest r = Objects.requireNonNull(requests.get(i), "requests[" + i + "]");
                DecodingLoop.Request q = prepare(r, deadline);
                promptTokens[i] = q.promptLength();
                prepared.add(q);
            }
            try {
                for (DecodingLoop.Request q : prepared) {
                    loop.submit(q);
                    queued.add(q);
                }
            } catch (IllegalStateException e) {
                queued.forEach(DecodingLoop.Request::cancel);
                if (e.getCause() != null) {
                    throw new NonRetriableBackendException(name, "member '" + name + "' cannot decode any more: "
                            + e.getMessage() + "; close it and create a new one", e);
                }
                throw closedDuringCall(e);
            }
        } finally {
            lock.readLock().unlock();
        }
        List<ChatResponse> out = new ArrayList<>(queued.size());
        try {
            for (int i = 0; i < queued.size(); i++) {
                DecodingLoop.Outcome o = await(queued.get(i), start, deadline);
                if (o.finish() == DecodingLoop.Finish.CONTEXT) {
                    // Counts only: prompts and answers are the caller's data and stay out of logs.
                    log.warn("Member '{}': an answer was cut after {} tokens because the context of model '{}' "
                            + "({} tokens) was full with a prompt of {} tokens; el4ner reads what was generated. A "
                            + "shorter prompt or a model with a longer context leaves room for the whole answer",
                            name, o.generated(), files.name(), files.contextTokens(), promptTokens[i]);
                }
                out.add(answer(queued.get(i), o, promptTokens[i]));
            }
        } catch (RuntimeException e) {
            queued.forEach(DecodingLoop.Request::cancel);
            throw e;
        }
        return out;
    }

    /** The response to a finished request: its text, and for an answer cut by a limit, how it was cut. */
    private ChatResponse answer(DecodingLoop.Request q, DecodingLoop.Outcome o, int promptTokens) {
        TokenUsage usage = TokenUsage.of(promptTokens, o.generated());
        ConstraintState constraint = q.constraint();
        String limit = o.finish() == DecodingLoop.Finish.CONTEXT ? "the model's context of " + files.contextTokens()
                + " tokens was full" : "it reached its limit of " + o.generated() + " new tokens";
        if (constraint == null) {
            boolean cut = o.finish() == DecodingLoop.Finish.MAX_TOKENS || o.finish() == DecodingLoop.Finish.CONTEXT;
            return new ChatResponse(decode(o.tokens()), usage, files.name(), cut ? "the answer stopped because "
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

    /** Each token's bytes for constrained answers, read from the tokenizer.json of the model. */
    private static TokenBytes tokenBytes(JsonNode tokenizerJson, DecoderDirectory files, String model) {
        try {
            return TokenBytes.fromJson(tokenizerJson, files.endTokens(), files.tokenizerJson().toString());
        } catch (RuntimeException e) {
            throw e instanceof El4nerException ee ? ee : new El4nerConfigurationException("cannot constrain the "
                    + "answers of " + model + ": " + e.getMessage() + "; build the member with constrained(false) "
                    + "(parameter constrained: false) to decode without constraints", e);
        }
    }

    /** The constraint of a request's answer, or null for a request that is not constrained. */
    private ConstraintState constraint(ChatRequest request) {
        if (tokenBytes == null || !request.options().jsonOutput()) {
            return null;
        }
        AnswerContract contract = AnswerContract.of(request.context());
        try {
            return JsonConstraint.start(contract, tokenBytes);
        } catch (NoValidAnswerException e) {
            throw noValidAnswer(e);
        }
    }

    private NonRetriableBackendException noValidAnswer(NoValidAnswerException e) {
        return new NonRetriableBackendException(name, "member '" + name + "' cannot constrain this answer with the "
                + "tokens of model '" + files.name() + "': " + e.getMessage(), e);
    }

    /** Renders, tokenizes and checks one request. */
    private DecodingLoop.Request prepare(ChatRequest request, long deadline) {
        warnOfSpecialTokens(request);
        String prompt;
        try {
            prompt = template.render(request.messages(), true);
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
                    + maxNew + " new ones need " + mebibytes(kvBytes) + " MiB of KV cache for model '" + files.name()
                    + "', more than its budget of " + mebibytes(loop.kvBudgetBytes()) + " MiB; " + (kvLowered
                    ? "the budget was lowered to fit the JVM's direct memory: raise -XX:MaxDirectMemorySize (by "
                    + "default -Xmx)" : "raise kvCacheMegabytes") + " or lower maxTokens");
        }
        SplittableRandom random = seed == null ? new SplittableRandom() : new SplittableRandom(mix(seed, ids));
        return new DecodingLoop.Request(ids, maxNew, room < wanted, request.options().temperature(), random,
                deadline, constraint(request));
    }

    /** A WARN when a message's text spells a special token: the tokenizer reads it as that control token. */
    private void warnOfSpecialTokens(ChatRequest request) {
        for (ChatMessage m : request.messages()) {
            for (String token : specialTokens) {
                if (m.content().contains(token)) {
                    // the token's text only: the message is the caller's data
                    log.warn("Member '{}': a {} message contains the text of the special token {} of model '{}'; "
                            + "it is tokenized as that control token (as transformers does), so text from a "
                            + "document can end a message or open a new role", name,
                            m.role().name().toLowerCase(java.util.Locale.ROOT), token, files.name());
                    return;
                }
            }
        }
    }

    private DecodingLoop.Outcome await(DecodingLoop.Request q, long start, long deadline) {
        try {
            if (deadline == Long.MAX_VALUE) {
                return q.result().get();
            }
            // A little longer than the deadline: the decoding thread ends the request by then, at its next step.
            return q.result().get(Math.max(0, deadline - System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(50),
                    TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            q.cancel();
            Thread.currentThread().interrupt();
            throw new MemberTimeoutException(name, "the call to member '" + name + "' was cancelled after "
                    + millisSince(start) + " ms: its thread was interrupted");
        } catch (TimeoutException e) {
            q.cancel();
            throw timedOut(start);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), start);
        }
    }

    private ModelMemberException failure(Throwable cause, long start) {
        if (cause instanceof DecodingLoop.DeadlineException) {
            return timedOut(start);
        }
        if (cause instanceof OutOfMemoryError) {
            // Only this call failed; with fewer calls decoding at once the same call may fit.
            return new RetriableBackendException(name, "member '" + name + "' ran out of memory decoding with model '"
                    + files.name() + "' (" + cause + "); this call failed, the member goes on. The KV cache of the "
                    + "calls decoding lives in direct memory (-XX:MaxDirectMemorySize, by default -Xmx) and the "
                    + "prefix cache on the heap (-Xmx): give the JVM more, or lower kvCacheMegabytes, maxBatchSize or "
                    + "prefixCacheMegabytes", cause);
        }
        if (cause instanceof DecodingLoop.StoppedException) {
            return closedDuringCall(cause);
        }
        if (cause instanceof NoValidAnswerException e) {
            return noValidAnswer(e);
        }
        if (cause instanceof DecoderOutputException) {
            return new NonRetriableBackendException(name, "model '" + files.name() + "' of member '" + name
                    + "' produced unusable output on " + executionProvider + ": " + cause.getMessage() + "; the "
                    + "model file may be damaged, or this variant does not compute correctly on this execution "
                    + "provider", cause);
        }
        if (cause instanceof OrtException && outOfMemory(cause.getMessage())) {
            // GPU or native memory: with fewer calls decoding at once the same call may fit.
            return new RetriableBackendException(name, "ONNX Runtime ran out of memory running model '"
                    + files.name() + "' of member '" + name + "' on " + executionProvider + ": " + cause.getMessage()
                    + "; this call failed, the member goes on. Lower maxBatchSize or kvCacheMegabytes, or use a "
                    + "smaller variant", cause);
        }
        if (cause instanceof OrtException) {
            return new NonRetriableBackendException(name, "ONNX Runtime failed running model '" + files.name()
                    + "' of member '" + name + "' on " + executionProvider + ": " + cause.getMessage(), cause);
        }
        return new NonRetriableBackendException(name, "decoding with model '" + files.name() + "' of member '"
                + name + "' failed: " + cause, cause);
    }

    /** Whether an ONNX Runtime message says memory ran out (its CPU and CUDA allocators word it so). */
    static boolean outOfMemory(String message) {
        String m = String.valueOf(message).toLowerCase(java.util.Locale.ROOT);
        return m.contains("out of memory") || m.contains("failed to allocate") || m.contains("bad_alloc")
                || m.contains("cudaerrormemoryallocation");
    }

    private MemberTimeoutException timedOut(long start) {
        return new MemberTimeoutException(name, "member '" + name + "' did not answer within "
                + callTimeout.toMillis() + " ms (callTimeout); it stopped after " + millisSince(start) + " ms");
    }

    private ModelMemberException closedDuringCall(Throwable cause) {
        return new ModelMemberException(name, "member '" + name + "' was closed during the call", cause);
    }

    private long[] encode(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    private String decode(long[] tokens) {
        if (tokens.length == 0) {
            return "";
        }
        lock.readLock().lock();
        try {
            if (closed) {
                throw closedDuringCall(null);
            }
            return tokenizer.decode(tokens, true);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * What the member has done since it was created.
     *
     * @param promptTokens prompt tokens of the calls prefilled
     * @param reusedPromptTokens of those, the tokens whose KV cache came from the prefix cache instead of the model
     * @param generatedTokens tokens generated, end tokens included
     * @param decodeSteps batched decode steps run (one token for every row of the batch each)
     * @param widestBatch the most calls decoded together
     * @param prefixCacheBytes the memory the prefix cache holds now
     * @param contextCuts answers cut short because the model's context was full (each also logged as a WARN)
     * @param constrainedAnswers answers decoded under their stage's {@link AnswerContract}
     * @param closedAnswers of those, answers cut by a limit before they were complete (closed by the member after
     *     their last whole item, or returned as written when the cut came before their list opened)
     */
    public record Stats(long promptTokens, long reusedPromptTokens, long generatedTokens, long decodeSteps,
                        int widestBatch, long prefixCacheBytes, long contextCuts, long constrainedAnswers,
                        long closedAnswers) {
    }

    /**
     * The settings the member runs with: those of its builder, with the cache budgets as fitted to the JVM's memory
     * limits (see {@link Builder#kvCacheBytes(long)}).
     *
     * @param maxNewTokens the most tokens of one answer
     * @param threads ONNX Runtime's intra-op threads; 0 when ONNX Runtime chooses
     * @param seed the sampling seed, if one was set
     * @param maxBatchSize the most calls decoded together (1 for a model without {@code position_ids})
     * @param prefixCacheBytes the prefix cache's budget
     * @param kvCacheBytes the KV cache budget of the calls decoding
     * @param callTimeout the call timeout, if one was set
     * @param prefillChunkTokens the prompt tokens computed per model run
     * @param constrained whether JSON answers are decoded under their stage's {@link AnswerContract}
     */
    public record Settings(int maxNewTokens, int threads, OptionalLong seed, int maxBatchSize, long prefixCacheBytes,
                           long kvCacheBytes, Optional<Duration> callTimeout, int prefillChunkTokens,
                           boolean constrained) {
    }

    /** @return the settings the member runs with */
    public Settings settings() {
        return settings;
    }

    /** @return what the member has done since it was created */
    public Stats stats() {
        DecodingLoop.Stats s = loop.stats();
        return new Stats(s.promptTokens(), s.reusedTokens(), s.generatedTokens(), s.steps(), s.widestBatch(),
                s.prefixCacheBytes(), s.contextCuts(), constrainedAnswers.get(), closedAnswers.get());
    }

    /** Ends the calls in flight (they fail) and releases the session and tokenizer. May be called more than once. */
    @Override
    public void close() {
        closed = true;
        loop.close();
        lock.writeLock().lock();
        try {
            if (!released) {
                released = true;
                closeQuietly(session);
                tokenizer.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "OnnxDecoderMember[" + name + ", " + files.name() + ", " + executionProvider + "]";
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("member '" + name + "' is closed");
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

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static long mebibytes(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    private static String relative(DecoderDirectory d) {
        return d.dir().relativize(d.onnxFile()).toString();
    }

    private static String externalDataHint(Throwable e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("external") || m.contains("onnx_data") ? "; a model whose weights are external needs its "
                + "data file (e.g. model.onnx_data) beside the .onnx file, under the name the model was saved with" : "";
    }

    private static HuggingFaceTokenizer loadTokenizer(Path file, String what) {
        if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        // Nothing added, cut or padded: the chat template writes the special tokens, and a prompt is never cut.
        Map<String, String> options = Map.of("addSpecialTokens", "false", "padding", "false", "truncation", "false");
        try (InputStream in = Files.newInputStream(file)) {
            return HuggingFaceTokenizer.newInstance(in, options);
        } catch (IOException e) {
            throw new El4nerConfigurationException("cannot read " + file + " (the tokenizer of " + what + "): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new El4nerConfigurationException("cannot load " + file + " (the tokenizer of " + what + "): "
                    + e.getMessage(), e);
        }
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException e) {
                log.debug("closing the ONNX session failed", e);
            }
        }
    }

    /** Configures and loads an {@link OnnxDecoderMember}. Not thread-safe; {@link #build()} may be called again. */
    public static final class Builder {
        private Path directory;
        private String variant;
        private String name;
        private int maxNewTokens = DEFAULT_MAX_NEW_TOKENS;
        private int threads;
        private int cudaDevice = -1;
        private boolean cudaRequired;
        private Long seed;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private long prefixCacheBytes = DEFAULT_PREFIX_CACHE_BYTES;
        private long kvCacheBytes; // 0: the default, from the model's shape
        private Duration callTimeout;
        private int prefillChunk = DecoderEngine.DEFAULT_CHUNK;
        private boolean constrained = true;

        private Builder() {
        }

        /**
         * @param constrained whether requests that ask for JSON ({@link io.el4ner.api.GenerationOptions#jsonOutput()},
         *     every request of el4ner's pipeline) are decoded under their stage's {@link AnswerContract}, so that
         *     every answer is valid and every span a substring of the sentence (default {@code true}); {@code false}
         *     decodes them freely, as a server without structured outputs would (to compare, or for a tokenizer the
         *     constraint cannot read)
         * @return this builder
         */
        public Builder constrained(boolean constrained) {
            this.constrained = constrained;
            return this;
        }

        /**
         * @param directory the model folder: {@code config.json}, {@code generation_config.json},
         *     {@code tokenizer.json}, {@code tokenizer_config.json} and {@code onnx/<variant>.onnx}; required
         * @return this builder
         */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * @param variant the ONNX file's stem under {@code onnx/}: {@code model}, {@code model_q4},
         *     {@code model_int8}, {@code model_quantized}, {@code model_fp16}, {@code model_q4f16}, …; by default the
         *     first present of {@link DecoderDirectory#CPU_VARIANTS} (quantized first; float16 is slow on the CPU),
         *     or of {@link DecoderDirectory#CUDA_VARIANTS} when CUDA is asked for
         * @return this builder
         * @throws IllegalArgumentException if blank or not a plain file stem
         */
        public Builder variant(String variant) {
            Objects.requireNonNull(variant, "variant");
            if (variant.isBlank() || variant.contains("/") || variant.contains("\\") || variant.endsWith(".onnx")) {
                throw new IllegalArgumentException("variant must be a file stem under onnx/ such as model_q4, got '"
                        + variant + "'");
            }
            this.variant = variant;
            return this;
        }

        /**
         * @param name the member's name; default the model folder's name
         * @return this builder
         * @throws IllegalArgumentException if blank
         */
        public Builder name(String name) {
            if (Objects.requireNonNull(name, "name").isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name.strip();
            return this;
        }

        /**
         * @param tokens the most tokens one answer may have, whatever the request asks (default 1024)
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxNewTokens(int tokens) {
            this.maxNewTokens = atLeast(1, tokens, "maxNewTokens");
            return this;
        }

        /**
         * @param threads ONNX Runtime's intra-op threads; 0 (the default) lets ONNX Runtime choose, one per
         *     physical core
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder threads(int threads) {
            this.threads = atLeast(0, threads, "threads");
            return this;
        }

        /**
         * Asks for the CUDA execution provider on a GPU. When it cannot be used (no {@code onnxruntime_gpu}, no
         * CUDA 12 or cuDNN 9 libraries, no driver) the member runs on the CPU with a WARN, unless
         * {@link #cudaRequired(boolean)}.
         *
         * @param device the CUDA device number
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder cuda(int device) {
            this.cudaDevice = atLeast(0, device, "device");
            return this;
        }

        /**
         * @param required whether loading fails rather than falls back to the CPU when CUDA, asked for with
         *     {@link #cuda(int)}, cannot be used (default false)
         * @return this builder
         */
        public Builder cudaRequired(boolean required) {
            this.cudaRequired = required;
            return this;
        }

        /**
         * @param seed makes sampling (temperature above 0) reproducible: the same request samples the same answer;
         *     by default every call samples anew. Greedy decoding does not use it.
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param rows the most requests decoded together in one batch (default 8); 1 decodes one at a time, as
         *     does a model without a {@code position_ids} input whatever is set here
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxBatchSize(int rows) {
            this.maxBatchSize = atLeast(1, rows, "maxBatchSize");
            return this;
        }

        /**
         * @param bytes the most memory the cache of recent prompts holds (default 256 MiB); 0 turns prefix reuse off.
         *     It lives on the heap: a budget above a quarter of {@code -Xmx} is lowered to that with a WARN
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder prefixCacheBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("prefixCacheBytes must not be negative, got " + bytes);
            }
            this.prefixCacheBytes = bytes;
            return this;
        }

        /**
         * @param bytes the most KV cache the batch being decoded may hold, padding included (default: what
         *     {@link #maxBatchSize(int)} calls of the model's whole context need, at most 2 GiB); a request waits
         *     until it fits beside the others, and one that needs more alone is refused. ONNX Runtime
         *     holds a second copy during each step. The cache lives in direct memory, which the JVM limits
         *     ({@code -XX:MaxDirectMemorySize}, by default {@code -Xmx}); when rows join or leave the batch the old
         *     and the new cache are alive together, so a budget above half the limit (less the logits buffer) is
         *     lowered to that at {@link #build()}, with a WARN saying what to set.
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder kvCacheBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("kvCacheBytes must be positive, got " + bytes);
            }
            this.kvCacheBytes = bytes;
            return this;
        }

        /**
         * @param timeout the longest a call may take, waiting for its turn included; by default none (el4ner's own
         *     per-stage deadline interrupts the call)
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder callTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("callTimeout must be positive, got " + timeout);
            }
            this.callTimeout = timeout;
            return this;
        }

        /**
         * @param tokens the prompt tokens computed per model run (default 64); also the granularity of prefix reuse.
         *     Smaller chunks reuse more of a shared prefix and bound the logits of a run ({@code tokens × vocabulary}
         *     floats); larger ones prefill a little faster
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder prefillChunkTokens(int tokens) {
            this.prefillChunk = atLeast(1, tokens, "prefillChunkTokens");
            return this;
        }

        /**
         * Reads the model folder, loads the tokenizer and the chat template, and creates the session.
         *
         * @return a new member, owned (and closed) by the caller
         * @throws IllegalStateException if no directory was given
         * @throws El4nerConfigurationException if a file is missing (the message names it and what it is for), the
         *     ONNX model is not a decoder with a KV cache (the message lists the expected and found inputs), or
         *     CUDA is required and cannot be used
         */
        public OnnxDecoderMember build() {
            if (directory == null) {
                throw new IllegalStateException("directory is required: the model folder");
            }
            return new OnnxDecoderMember(this);
        }

        private static int atLeast(int min, int value, String what) {
            if (value < min) {
                throw new IllegalArgumentException(what + " must be at least " + min + ", got " + value);
            }
            return value;
        }
    }
}
