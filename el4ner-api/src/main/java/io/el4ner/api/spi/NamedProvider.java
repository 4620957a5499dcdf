package io.el4ner.api.spi;

/**
 * What every provider has: a stable name users refer to it by, and a priority that orders providers when none is
 * named. Providers are instantiated by {@link java.util.ServiceLoader} and need a public no-argument constructor;
 * discovery must be cheap, so load nothing heavy before {@code create} is called.
 *
 * @since 0.1
 */
public interface NamedProvider {
    /** @return the provider's stable name: lower-case ASCII letters, digits and '-', e.g. {@code openai-compatible} */
    String name();

    /** @return the priority: with no explicit choice, the highest wins; equal priorities are ambiguous */
    default int priority() {
        return 0;
    }
}
