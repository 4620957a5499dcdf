package io.el4ner.core.internal.retrieval;

import io.el4ner.api.Demonstration;
import io.el4ner.api.spi.SentenceEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a {@link SpanSimRetriever}'s {@link PoolIndex} comes from: loaded from the {@code index} file when that
 * exists (it must match the encoder, span mode and pool), built otherwise, completed with the approximate index
 * when the retriever will use it, and saved to the file whenever something was built.
 */
final class PoolIndexLoader {
    // the retriever's logger: these lines are part of what the retriever reports
    private static final Logger log = LoggerFactory.getLogger(SpanSimRetriever.class);

    private PoolIndexLoader() {
    }

    /**
     * @param pool the labelled pool
     * @param encoder the sentence encoder
     * @param options the span mode and index file
     * @param approximate whether the index needs its approximate part
     * @param parallel where to build the approximate part
     * @return the pool index
     * @throws io.el4ner.api.El4nerConfigurationException if the index file was made with another encoder, span
     *     mode or pool
     * @throws io.el4ner.api.El4nerException if the index file is unreadable, foreign, truncated or corrupt, or
     *     the encoder returns vectors of the wrong dimension
     */
    static PoolIndex loadOrBuild(List<Demonstration> pool, SentenceEncoder encoder, SpanSimOptions options,
                                 boolean approximate, Parallel parallel) {
        byte[] fingerprint = PoolIndex.fingerprint(pool);
        Path file = options.indexFile();
        PoolIndex idx;
        boolean save = false;
        if (file != null && Files.exists(file)) {
            idx = IndexFile.load(file, new IndexFile.Expected(encoder.identity(), encoder.dimension(),
                    options.spanMode(), fingerprint));
            log.info("loaded span index {} ({} sentences)", file.toAbsolutePath(), idx.poolSize());
        } else {
            idx = PoolIndex.build(pool, encoder, options.spanMode());
            save = file != null;
        }
        if (approximate && needsIvf(idx)) {
            long t0 = System.nanoTime();
            idx = idx.withApproximateIndex(parallel);
            log.info("built the approximate span index in {} ms", (System.nanoTime() - t0) / 1_000_000);
            save = file != null;
        }
        if (save) {
            IndexFile.save(idx, file);
            log.info("saved span index {}", file.toAbsolutePath());
        }
        return idx;
    }

    private static boolean needsIvf(PoolIndex idx) {
        return (idx.spans().ivf() == null && idx.spans().table().size() > 0) || idx.sentences().ivf() == null;
    }
}
