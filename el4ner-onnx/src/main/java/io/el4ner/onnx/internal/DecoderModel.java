package io.el4ner.onnx.internal;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A decoder model loaded for the in-process member: its files, tokenizer and chat template, its ONNX Runtime session
 * (through {@link OrtSessions}, CPU or CUDA), the engine, prefix cache and decoding loop over it, with the cache
 * budgets fitted to the JVM's memory. Loading is one job with many failure modes (missing files, a template jinjava
 * cannot read, a tokenizer the constraint cannot use, a model without a KV cache), kept here, away from the member's
 * calls.
 */
public final class DecoderModel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.el4ner.onnx.OnnxDecoderMember");
    /** Prompts the prefix cache holds at most, whatever its byte budget. */
    private static final int PREFIX_CACHE_ENTRIES = 64;

    /**
     * The builder's settings.
     *
     * @param directory the model folder
     * @param variant the {@code onnx/<variant>.onnx} stem, or null for the first of the preferred ones
     * @param name the member's name, or null for the folder's name
     * @param threads ONNX Runtime's intra-op threads; 0 lets it choose
     * @param cudaDevice the CUDA device, or -1 for the CPU
     * @param cudaRequired whether to fail rather than run on the CPU when CUDA cannot be used
     * @param maxBatchSize the most calls decoded together
     * @param kvCacheBytes the KV cache budget; 0 for the default from the model's shape
     * @param defaultKvCacheBytes the most the default KV cache budget gives
     * @param prefixCacheBytes the prefix cache budget
     * @param prefillChunk the prompt tokens computed per model run
     * @param constrained whether JSON answers are decoded under their contract (needs each token's bytes)
     */
    public record Options(Path directory, String variant, String name, int threads, int cudaDevice,
                          boolean cudaRequired, int maxBatchSize, long kvCacheBytes, long defaultKvCacheBytes,
                          long prefixCacheBytes, int prefillChunk, boolean constrained) {
        /** Checks that the model folder is given. */
        public Options {
            Objects.requireNonNull(directory, "directory");
        }
    }

    private final String name;
    private final DecoderDirectory files;
    private final HuggingFaceTokenizer tokenizer;
    private final ChatTemplate template;
    private final OrtSession session;
    private final DecodingLoop loop;
    private final String executionProvider;
    private final List<String> specialTokens;
    private final TokenBytes tokenBytes;
    private final int maxRows;
    private final long prefixCacheBytes;
    private final long kvCacheBytes;
    private final boolean kvLowered;

    /**
     * Reads the model folder, loads the tokenizer and the chat template, creates the session and starts the
     * decoding loop; logs one INFO line saying what runs where.
     *
     * @param o the settings
     * @throws El4nerConfigurationException if a file is missing or unusable, the ONNX model is not a decoder with a
     *     KV cache, or CUDA is required and cannot be used
     */
    public DecoderModel(Options o) {
        long t0 = System.nanoTime();
        OrtSessions.Options options = new OrtSessions.Options(o.threads(), 0, o.cudaDevice(), o.cudaRequired());
        DecoderDirectory cpuFiles = DecoderDirectory.read(o.directory(), o.variant(), DecoderDirectory.CPU_VARIANTS);
        // Without an explicit variant, CUDA gets the first of its own preferences (float16 first) and a fallback to
        // the CPU the CPU's (quantized first).
        DecoderDirectory cudaFiles = o.cudaDevice() < 0 || o.variant() != null ? cpuFiles
                : DecoderDirectory.read(o.directory(), null, DecoderDirectory.CUDA_VARIANTS);
        String folder = ModelSource.folderName(cpuFiles.dir());
        this.name = o.name() != null ? o.name() : folder.substring(folder.lastIndexOf('/') + 1);
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
        int pickableIds = DecoderDirectory.tokenizerIds(tokenizerJson, cpuFiles.tokenizerJson());
        this.specialTokens = DecoderDirectory.specialTokens(tokenizerJson);
        this.tokenBytes = o.constrained() ? tokenBytes(tokenizerJson, cpuFiles, model) : null;
        this.tokenizer = loadTokenizer(cpuFiles.tokenizerJson(), model);
        OrtSession s = null;
        DecoderDirectory chosen = cpuFiles;
        DecoderSignature signature;
        DecoderMemory memory;
        long kvWanted;
        try {
            String files = cudaFiles == cpuFiles ? relative(cpuFiles) : relative(cudaFiles) + " on CUDA, "
                    + relative(cpuFiles) + " on the CPU";
            OrtSessions.Opened opened = OrtSessions.open(model + " (" + files + ")", cudaFiles.onnxFile(),
                    cpuFiles.onnxFile(), options);
            s = opened.session();
            chosen = opened.onCuda() ? cudaFiles : cpuFiles;
            this.executionProvider = opened.executionProvider();
            signature = DecoderSignature.read(s, chosen);
            this.maxRows = signature.positionIds() ? o.maxBatchSize() : 1;
            // By default no more than maxBatchSize calls of the whole context can use.
            kvWanted = o.kvCacheBytes() > 0 ? o.kvCacheBytes() : Math.min(o.defaultKvCacheBytes(),
                    (long) maxRows * chosen.contextTokens() * signature.bytesPerToken());
            List<String> warnings = new ArrayList<>();
            memory = DecoderMemory.fit(model, kvWanted, o.prefixCacheBytes(), signature, maxRows, o.prefillChunk(),
                    DecoderMemory.directMemoryLimit(), Runtime.getRuntime().maxMemory(), warnings);
            warnings.forEach(log::warn);
        } catch (OrtException | RuntimeException e) {
            OrtSessions.closeQuietly(s);
            tokenizer.close();
            if (e instanceof El4nerException ee) {
                throw ee;
            }
            throw new El4nerConfigurationException("cannot load " + model + " from " + chosen.onnxFile() + ": "
                    + e.getMessage() + externalDataHint(e), e);
        }
        this.files = chosen;
        this.session = s;
        DecoderEngine engine = new DecoderEngine(session, signature, o.prefillChunk(), files.endTokens());
        PrefixCache cache = new PrefixCache(memory.prefixCacheBytes(), PREFIX_CACHE_ENTRIES, engine);
        if (maxRows < o.maxBatchSize()) {
            log.warn("Decoder model '{}' ({}) takes no position_ids input, so it numbers a left-padded row's tokens "
                    + "from the padding: its calls are decoded one at a time (maxBatchSize {} is not used). An export "
                    + "with position_ids (optimum's) decodes concurrent calls together", files.name(),
                    relative(files), o.maxBatchSize());
        }
        this.loop = new DecodingLoop(engine, cache, files.endTokens(), Math.min(pickableIds, signature.vocab()),
                maxRows, memory.kvCacheBytes(), name);
        this.prefixCacheBytes = memory.prefixCacheBytes();
        this.kvCacheBytes = memory.kvCacheBytes();
        this.kvLowered = memory.kvCacheBytes() < kvWanted;
        log.info("Decoder member '{}' runs {} on {} ({} layers, {} KV heads of {}, KV {}, vocabulary {}, context {}; "
                        + "{}; prefix cache {} MiB; loaded in {} ms)", name, files.name(), executionProvider,
                signature.layers(), signature.kvHeads(), signature.headDim(), signature.kvType(), signature.vocab(),
                files.contextTokens(), DecoderMemory.describeKv(memory.kvCacheBytes(), signature.bytesPerToken(),
                        files.contextTokens(), maxRows), mebibytes(memory.prefixCacheBytes()),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** @return the member's name */
    public String name() {
        return name;
    }

    /** @return the model folder and variant that run */
    public DecoderDirectory files() {
        return files;
    }

    /** @return the tokenizer: nothing added, cut or padded */
    public HuggingFaceTokenizer tokenizer() {
        return tokenizer;
    }

    /** @return the chat template */
    public ChatTemplate template() {
        return template;
    }

    /** @return the decoding loop */
    public DecodingLoop loop() {
        return loop;
    }

    /** @return {@code CPU} or {@code CUDA:<device>} */
    public String executionProvider() {
        return executionProvider;
    }

    /** @return the text of the tokenizer's special tokens */
    public List<String> specialTokens() {
        return specialTokens;
    }

    /** @return each token's bytes, for constrained answers; null when answers are not constrained */
    public TokenBytes tokenBytes() {
        return tokenBytes;
    }

    /** @return the most calls decoded together (1 for a model without {@code position_ids}) */
    public int maxRows() {
        return maxRows;
    }

    /** @return the prefix cache budget, as fitted */
    public long prefixCacheBytes() {
        return prefixCacheBytes;
    }

    /** @return the KV cache budget, as fitted */
    public long kvCacheBytes() {
        return kvCacheBytes;
    }

    /** @return whether the KV cache budget was lowered to fit the JVM's direct memory */
    public boolean kvLowered() {
        return kvLowered;
    }

    /** Releases the session and the tokenizer; the decoding loop must be closed and no call may use them. */
    @Override
    public void close() {
        OrtSessions.closeQuietly(session);
        tokenizer.close();
    }

    /** @return bytes in mebibytes, rounded up */
    static long mebibytes(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    private static String relative(DecoderDirectory d) {
        return d.dir().relativize(d.onnxFile()).toString();
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
}
