package io.el4ner.api.spi;

/**
 * Creates {@link Validator}s. Found with {@link java.util.ServiceLoader}.
 *
 * @since 0.1
 */
public interface ValidatorProvider extends NamedProvider {
    /**
     * @param config the validator's parameters
     * @return a new validator
     */
    Validator create(ComponentConfig config);
}
