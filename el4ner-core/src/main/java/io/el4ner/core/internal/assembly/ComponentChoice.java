package io.el4ner.core.internal.assembly;

import java.util.Map;
import java.util.Objects;

/**
 * A component as the builder was told it: an instance the caller made (and keeps), or a provider to create it
 * through at build time (and so owned by the ensemble).
 *
 * @param <T> the component's type
 */
public sealed interface ComponentChoice<T> {
    /**
     * An instance the caller made; the ensemble does not close it.
     *
     * @param instance the component
     * @param <T> the component's type
     */
    record Given<T>(T instance) implements ComponentChoice<T> {
        /** Checks the instance. */
        public Given {
            Objects.requireNonNull(instance, "instance");
        }
    }

    /**
     * A component to create through a provider. Parameters may hold secrets: never printed.
     *
     * @param provider the provider's name
     * @param parameters its parameters
     * @param <T> the component's type
     */
    record Named<T>(String provider, Map<String, Object> parameters) implements ComponentChoice<T> {
        /** Copies the parameters. */
        public Named {
            parameters = Map.copyOf(parameters);
        }

        @Override
        public String toString() {
            return "provider '" + provider + "'";
        }
    }
}
