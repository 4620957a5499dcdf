package io.el4ner.onnx;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.onnx.internal.DecoderAnswers;
import io.el4ner.onnx.internal.DecoderDirectory;
import io.el4ner.onnx.internal.DecoderEngine;
import io.el4ner.onnx.internal.DecoderFailures;
import io.el4ner.onnx.internal.DecoderModel;
import io.el4ner.onnx.internal.DecoderPrompts;
import io.el4ner.onnx.internal.DecodeRequest;
import io.el4ner.onnx.internal.DecodingLoop;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

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

    private final DecoderModel model;
    private final DecoderFailures failures;
    private final DecoderPrompts prompts;
    private final DecoderAnswers answers;
    private final Duration callTimeout;
    private final Settings settings;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private boolean released; // guarded by lock

    private OnnxDecoderMember(Builder b) {
        this.model = new DecoderModel(new DecoderModel.Options(b.directory, b.variant, b.name, b.threads,
                b.cudaDevice, b.cudaRequired, b.maxBatchSize, b.kvCacheBytes, DEFAULT_KV_CACHE_BYTES,
                b.prefixCacheBytes, b.prefillChunk, b.constrained));
        this.callTimeout = b.callTimeout;
        this.failures = new DecoderFailures(model.name(), model.files().name(), model.executionProvider(),
                b.callTimeout);
        this.prompts = new DecoderPrompts(model, b.maxNewTokens, b.seed, failures);
        this.answers = new DecoderAnswers(model.name(), model.files());
        this.settings = new Settings(b.maxNewTokens, b.threads, b.seed == null ? OptionalLong.empty()
                : OptionalLong.of(b.seed), model.maxRows(), model.prefixCacheBytes(), model.kvCacheBytes(),
                Optional.ofNullable(b.callTimeout), b.prefillChunk, b.constrained);
    }


    /** @return a builder; {@link Builder#directory(Path)} is required */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return model.name();
    }

    /** @return the model's name: its folder's name, {@code /}, and the variant, e.g. {@code Qwen2.5-0.5B/model_q4} */
    public String model() {
        return model.files().name();
    }

    /** @return the execution provider that runs the model: {@code CPU} or {@code CUDA:<device>} */
    public String executionProvider() {
        return model.executionProvider();
    }

    /** {@inheritDoc} Here: {@code max_position_embeddings} of the model's config.json. */
    @Override
    public int contextTokens() {
        return model.files().contextTokens();
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
            return prompts.encode(text).length;
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
        List<DecodeRequest> queued = new ArrayList<>(requests.size());
        int[] promptTokens = new int[requests.size()];
        lock.readLock().lock();
        try {
            ensureOpen();
            List<DecodeRequest> prepared = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                ChatRequest r = Objects.requireNonNull(requests.get(i), "requests[" + i + "]");
                DecodeRequest q = prompts.prepare(r, deadline);
                promptTokens[i] = q.promptLength();
                prepared.add(q);
            }
            try {
                for (DecodeRequest q : prepared) {
                    model.loop().submit(q);
                    queued.add(q);
                }
            } catch (IllegalStateException e) {
                queued.forEach(DecodeRequest::cancel);
                if (e.getCause() != null) {
                    throw new NonRetriableBackendException(model.name(), "member '" + model.name()
                            + "' cannot decode any more: "
                            + e.getMessage() + "; close it and create a new one", e);
                }
                throw failures.closedDuringCall(e);
            }
        } finally {
            lock.readLock().unlock();
        }
        List<ChatResponse> out = new ArrayList<>(queued.size());
        try {
            for (int i = 0; i < queued.size(); i++) {
                DecodingLoop.Outcome o = failures.await(queued.get(i), start, deadline);
                out.add(answers.answer(queued.get(i), o, promptTokens[i], this::decode));
            }
        } catch (RuntimeException e) {
            queued.forEach(DecodeRequest::cancel);
            throw e;
        }
        return out;
    }

    private String decode(long[] tokens) {
        if (tokens.length == 0) {
            return "";
        }
        lock.readLock().lock();
        try {
            if (closed) {
                throw failures.closedDuringCall(null);
            }
            return model.tokenizer().decode(tokens, true);
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
        DecodingLoop.Stats s = model.loop().stats();
        return new Stats(s.promptTokens(), s.reusedTokens(), s.generatedTokens(), s.steps(), s.widestBatch(),
                s.prefixCacheBytes(), s.contextCuts(), answers.constrainedAnswers(), answers.closedAnswers());
    }

    /** Ends the calls in flight (they fail) and releases the session and tokenizer. May be called more than once. */
    @Override
    public void close() {
        closed = true;
        model.loop().close();
        lock.writeLock().lock();
        try {
            if (!released) {
                released = true;
                model.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "OnnxDecoderMember[" + model.name() + ", " + model.files().name() + ", " + model.executionProvider() + "]";
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("member '" + model.name() + "' is closed");
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
