package io.el4ner.api.spi;

/**
 * Creates {@link Retriever}s. Found with {@link java.util.ServiceLoader}.
 *
 * @since 0.1
 */
public interface RetrieverProvider extends NamedProvider {
    /**
     * @param config the retriever's parameters; {@link ComponentConfig#pool()} is the labelled pool
     * @return a new retriever over that pool
     */
    Retriever create(ComponentConfig config);
}
