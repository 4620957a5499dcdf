package io.el4ner.onnx.internal;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.SentenceEncoder;
import io.el4ner.api.spi.SentenceEncoderProvider;
import io.el4ner.hub.HubClient;
import io.el4ner.hub.HubException;
import io.el4ner.onnx.OnnxSentenceEncoder;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Provider {@code onnx-sentence} of {@link OnnxSentenceEncoder}. Parameters, all optional:
 * <ul>
 *   <li>{@code model}: {@code all-minilm-l6-v2-q} (the bundled model, the default);</li>
 *   <li>{@code directory}: a directory with {@code model.onnx} (or {@code onnx/model.onnx}) and {@code tokenizer.json},
 *       instead of {@code model};</li>
 *   <li>{@code repo}: a Hugging Face sentence-transformers repository whose {@code onnx/model.onnx} and
 *       {@code tokenizer.json} are downloaded into the Hugging Face cache (or found there), instead of {@code model}
 *       or {@code directory}; {@code revision}: its branch, tag or commit hash (default {@code main});</li>
 *   <li>{@code maxLength}, {@code batchSize}: as in the builder (256 and 32);</li>
 *   <li>{@code threads}: ONNX Runtime intra-op threads per model run (default 1; 0: one per core);</li>
 *   <li>{@code parallelism}: model runs one call performs at once (default 0: one per available processor, at
 *       most 8);</li>
 *   <li>{@code cuda}: {@code true} for CUDA device 0, or a device number; falls back to the CPU;</li>
 *   <li>{@code dimension}: the vector length the caller expects; loading fails if the model's differs.</li>
 * </ul>
 * Discovery loads nothing; {@link #create} loads the model.
 */
public final class OnnxSentenceEncoderProvider implements SentenceEncoderProvider {
    /** The provider's name. */
    public static final String NAME = "onnx-sentence";
    private static final Set<String> KNOWN = Set.of("model", "directory", "maxLength", "batchSize", "threads",
            "parallelism", "cuda", "dimension", "repo", "revision");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SentenceEncoder create(ComponentConfig config) {
        config.requireOnly(KNOWN);
        OnnxSentenceEncoder.Builder b = OnnxSentenceEncoder.builder();
        Optional<String> model = config.string("model");
        Optional<String> directory = config.string("directory");
        if (model.isPresent() && directory.isPresent()) {
            throw new El4nerConfigurationException(config.component() + ": give either 'model' or 'directory', not both");
        }
        if (model.isPresent() && !model.get().equals(ModelSource.BUNDLED)) {
            throw new El4nerConfigurationException(config.component() + ": unknown model '" + model.get()
                    + "'; bundled models: [" + ModelSource.BUNDLED + "]; for another model give 'directory'");
        }
        Optional<String> repo = config.string("repo");
        if (repo.isPresent() && (model.isPresent() || directory.isPresent())) {
            throw new El4nerConfigurationException(config.component() + ": give one of 'model', 'directory' and "
                    + "'repo', not several");
        }
        if (repo.isEmpty() && config.parameters().containsKey("revision")) {
            throw new El4nerConfigurationException(config.component() + ": 'revision' needs 'repo'");
        }
        config.path("directory").ifPresent(b::directory);
        if (repo.isPresent()) {
            try (HubClient hub = HubModelFiles.client()) {
                b.directory(HubModelFiles.encoder(hub, repo.get(), config.string("revision").orElse("main")));
            } catch (IllegalArgumentException e) {
                throw new El4nerConfigurationException(config.component() + ": " + e.getMessage(), e);
            } catch (HubException e) {
                throw new HubException(e.reason(), config.component() + ": " + e.getMessage(), e);
            }
        }
        try {
            b.maxLength(config.integer("maxLength", OnnxSentenceEncoder.DEFAULT_MAX_LENGTH))
                    .batchSize(config.integer("batchSize", OnnxSentenceEncoder.DEFAULT_BATCH_SIZE))
                    .intraOpThreads(config.integer("threads", 1))
                    .parallelism(config.integer("parallelism", 0))
                    .expectedDimension(config.integer("dimension", 0));
            Object cuda = config.parameters().get("cuda");
            if (cuda instanceof Boolean on) {
                if (on) {
                    b.cuda(0);
                }
            } else if (cuda != null) {
                b.cuda(config.integer("cuda", 0));
            }
        } catch (IllegalArgumentException e) {
            throw new El4nerConfigurationException(config.component() + ": " + e.getMessage(), e);
        }
        return b.build();
    }
}
