package io.el4ner.onnx.internal;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.hub.HubClient;
import io.el4ner.hub.HubException;
import io.el4ner.onnx.OnnxDecoderMember;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Provider {@code onnx} of {@link OnnxDecoderMember}: an in-process decoder model from a local folder or from the
 * Hugging Face Hub. Parameters:
 * <ul>
 *   <li>{@code directory} (this or {@code repo}): the model folder ({@code config.json}, {@code
 *       generation_config.json}, {@code tokenizer.json}, {@code tokenizer_config.json}, {@code onnx/<variant>.onnx});
 *       relative to the configuration file's folder;</li>
 *   <li>{@code repo} (this or {@code directory}): a Hugging Face repository id in the onnx-community layout,
 *       whose files are downloaded into the Hugging Face cache (or found there) by {@link HubModelFiles}, with the
 *       {@code HF_*} environment variables ({@code HF_ENDPOINT}, {@code HF_TOKEN}, {@code HF_HUB_CACHE},
 *       {@code HF_HUB_OFFLINE});</li>
 *   <li>{@code revision}: with {@code repo}, a branch, tag or commit hash (default {@code main});</li>
 *   <li>{@code variant}: the ONNX file's stem under {@code onnx/} ({@code model_q4}, {@code model_int8},
 *       {@code model}, {@code model_fp16}, …); default the first present, quantized first on the CPU;</li>
 *   <li>{@code name}: the member's name, default the folder's name (with {@code repo}: the repository's name, without
 *       the organisation);</li>
 *   <li>{@code maxNewTokens}: the most tokens of one answer (default 1024);</li>
 *   <li>{@code threads}: ONNX Runtime intra-op threads (default 0: one per physical core);</li>
 *   <li>{@code cuda}: {@code true} to run on CUDA device {@code deviceId}, or the device number; falls back to the
 *       CPU with a WARN unless {@code cudaRequired} is {@code true};</li>
 *   <li>{@code deviceId}: the CUDA device (default 0);</li>
 *   <li>{@code seed}: makes sampling at temperature above 0 reproducible;</li>
 *   <li>{@code maxBatchSize}: the most calls decoded together (default 8);</li>
 *   <li>{@code prefixCacheMegabytes}: memory for the cache of recent prompts (default 256; 0 turns it off; at most
 *       a quarter of the heap);</li>
 *   <li>{@code kvCacheMegabytes}: memory for the cache of the calls decoding (default what {@code maxBatchSize}
 *       calls of the whole context need, at most 2048; lowered to fit the JVM's direct memory, see
 *       {@link OnnxDecoderMember.Builder#kvCacheBytes(long)});</li>
 *   <li>{@code callTimeoutSeconds}: the longest one call may take (default none: el4ner's stage deadline);</li>
 *   <li>{@code constrained}: whether the pipeline's JSON answers are decoded under their stage's answer contract
 *       (valid JSON, spans that are substrings of the sentence, configured types; default {@code true});
 *       {@code false} decodes them freely.</li>
 * </ul>
 * Discovery loads nothing; {@link #create} loads the model.
 */
public final class OnnxDecoderMemberProvider implements ModelMemberProvider {
    /** The provider's name. */
    public static final String NAME = "onnx";
    /** The parameters the provider reads. */
    public static final Set<String> PARAMETERS = Set.of("name", "directory", "variant", "maxNewTokens", "threads",
            "cuda", "deviceId", "cudaRequired", "seed", "maxBatchSize", "prefixCacheMegabytes", "kvCacheMegabytes",
            "callTimeoutSeconds", "constrained", "repo", "revision");

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public OnnxDecoderMemberProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModelMember create(ComponentConfig config) {
        config.requireOnly(PARAMETERS);
        String c = config.component();
        Map<String, Object> p = config.parameters();
        OnnxDecoderMember.Builder b = OnnxDecoderMember.builder();
        if (p.containsKey("repo")) {
            fromHub(config, b);
        } else if (!p.containsKey("directory")) {
            throw new El4nerConfigurationException(c + ": missing required parameter 'directory' (the folder of a "
                    + "Hugging Face ONNX export: config.json, generation_config.json, tokenizer.json, "
                    + "tokenizer_config.json, onnx/<variant>.onnx) or 'repo' (its Hugging Face repository id)");
        } else {
            if (p.containsKey("revision")) {
                throw new El4nerConfigurationException(c + ": 'revision' needs 'repo'");
            }
            b.directory(config.requirePath("directory"));
        }
        config.apply("variant", () -> config.string("variant").ifPresent(b::variant));
        config.apply("name", () -> config.string("name").ifPresent(b::name));
        if (p.containsKey("maxNewTokens")) {
            int n = config.integer("maxNewTokens", 0);
            config.apply("maxNewTokens", () -> b.maxNewTokens(n));
        }
        if (p.containsKey("threads")) {
            int n = config.integer("threads", 0);
            config.apply("threads", () -> b.threads(n));
        }
        int device = config.integer("deviceId", 0);
        Object cuda = p.get("cuda");
        boolean onCuda;
        if (cuda == null || cuda instanceof Boolean) {
            onCuda = config.bool("cuda", false);
        } else if (!(cuda instanceof Number)) {
            throw new El4nerConfigurationException(c + ": parameter 'cuda' must be true, false or a CUDA device "
                    + "number, got " + cuda);
        } else {
            if (p.containsKey("deviceId")) {
                throw new El4nerConfigurationException(c + ": give the CUDA device either as 'cuda' or as "
                        + "'deviceId', not both");
            }
            device = config.integer("cuda", 0);
            onCuda = true;
        }
        if (p.containsKey("deviceId") && !onCuda) {
            throw new El4nerConfigurationException(c + ": 'deviceId' needs \"cuda\": true");
        }
        boolean required = config.bool("cudaRequired", false);
        if (required && !onCuda) {
            throw new El4nerConfigurationException(c + ": 'cudaRequired' needs \"cuda\": true");
        }
        if (onCuda) {
            int d = device;
            config.apply(p.containsKey("deviceId") ? "deviceId" : "cuda", () -> b.cuda(d));
            b.cudaRequired(required);
        }
        if (p.containsKey("seed")) {
            b.seed(config.integer("seed", 0));
        }
        b.constrained(config.bool("constrained", true));
        if (p.containsKey("maxBatchSize")) {
            int n = config.integer("maxBatchSize", 0);
            config.apply("maxBatchSize", () -> b.maxBatchSize(n));
        }
        if (p.containsKey("prefixCacheMegabytes")) {
            long bytes = megabytes(c, config, "prefixCacheMegabytes", true);
            b.prefixCacheBytes(bytes);
        }
        if (p.containsKey("kvCacheMegabytes")) {
            long bytes = megabytes(c, config, "kvCacheMegabytes", false);
            b.kvCacheBytes(bytes);
        }
        if (p.containsKey("callTimeoutSeconds")) {
            double s = config.decimal("callTimeoutSeconds", 0);
            if (!(s > 0) || s > 86_400 * 365) {
                throw new El4nerConfigurationException(c + ": parameter 'callTimeoutSeconds' must be a number of "
                        + "seconds > 0, got " + p.get("callTimeoutSeconds"));
            }
            b.callTimeout(Duration.ofNanos((long) (s * 1e9)));
        }
        return b.build();
    }

    /** {@code repo} (+ {@code revision}, {@code variant}): the model's files from the Hub, through the cache. */
    private static void fromHub(ComponentConfig config, OnnxDecoderMember.Builder b) {
        String c = config.component();
        if (config.parameters().containsKey("directory")) {
            throw new El4nerConfigurationException(c + ": give either 'directory' (a local model folder) or 'repo' "
                    + "(a Hugging Face repository), not both");
        }
        String repo = config.requireString("repo");
        String revision = config.string("revision").orElse("main");
        Object cuda = config.parameters().get("cuda");
        boolean onCuda = Boolean.TRUE.equals(cuda) || cuda instanceof Number;
        HubModelFiles.Decoder d;
        try (HubClient hub = HubModelFiles.client()) {
            d = HubModelFiles.decoder(hub, repo, revision, config.string("variant").orElse(null),
                    onCuda ? DecoderDirectory.CUDA_VARIANTS : DecoderDirectory.CPU_VARIANTS);
        } catch (IllegalArgumentException e) {
            throw new El4nerConfigurationException(c + ": " + e.getMessage(), e);
        } catch (HubException e) {
            throw new HubException(e.reason(), c + ": " + e.getMessage(), e);
        }
        b.directory(d.directory());
        if (!config.parameters().containsKey("variant")) {
            b.variant(d.variant());
        }
        if (!config.parameters().containsKey("name")) {
            b.name(repo.substring(repo.indexOf('/') + 1));
        }
    }

    private static long megabytes(String c, ComponentConfig config, String key, boolean zeroAllowed) {
        double mb = config.decimal(key, 0);
        if (!(mb >= 0) || !zeroAllowed && mb == 0 || mb > (1L << 43) / (1 << 20)) {
            throw new El4nerConfigurationException(c + ": parameter '" + key + "' must be a number of megabytes "
                    + (zeroAllowed ? ">= 0" : "> 0") + ", got " + config.parameters().get(key));
        }
        return Math.max(zeroAllowed ? 0 : 1, (long) (mb * (1 << 20)));
    }

}
