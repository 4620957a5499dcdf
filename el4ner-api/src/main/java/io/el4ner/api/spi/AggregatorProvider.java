package io.el4ner.api.spi;

/**
 * Creates {@link Aggregator}s. Found with {@link java.util.ServiceLoader}. An ensemble has exactly one
 * aggregator: an explicit choice wins, then the system property {@code el4ner.aggregator}, then the highest
 * priority; equal highest priorities are an error.
 *
 * @since 0.1
 */
public interface AggregatorProvider extends NamedProvider {
    /**
     * @param config the aggregator's parameters
     * @return a new aggregator
     */
    Aggregator create(ComponentConfig config);
}
