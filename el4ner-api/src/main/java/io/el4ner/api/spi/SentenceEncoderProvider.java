package io.el4ner.api.spi;

/**
 * Creates {@link SentenceEncoder}s. Found with {@link java.util.ServiceLoader}.
 *
 * @since 0.1
 */
public interface SentenceEncoderProvider extends NamedProvider {
    /**
     * Creates an encoder; may load a model.
     *
     * @param config the encoder's parameters
     * @return a new encoder, owned (and closed) by the caller
     */
    SentenceEncoder create(ComponentConfig config);
}
