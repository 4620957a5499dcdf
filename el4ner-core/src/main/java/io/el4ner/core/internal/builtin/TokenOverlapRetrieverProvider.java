package io.el4ner.core.internal.builtin;

import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.RetrieverProvider;
import java.util.Set;

/** Provider {@code token-overlap}; no parameters. */
public final class TokenOverlapRetrieverProvider implements RetrieverProvider {
    /** The provider's name. */
    public static final String NAME = "token-overlap";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Retriever create(ComponentConfig config) {
        config.requireOnly(Set.of());
        return new TokenOverlapRetriever(config.pool());
    }
}
