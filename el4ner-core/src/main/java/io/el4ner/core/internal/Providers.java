package io.el4ner.core.internal;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.Redaction;
import io.el4ner.api.spi.NamedProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds providers with {@link ServiceLoader}. Sets of providers are kept by name (Lucene's model); a single
 * choice is explicit, then a system property, then the highest priority, and a tie is an error (LangChain4j's
 * model). A provider that fails to load is logged and skipped.
 */
public final class Providers {
    private static final Logger log = LoggerFactory.getLogger(Providers.class);

    private Providers() {
    }

    /**
     * @param type the provider interface
     * @param loader where to look
     * @param <P> the provider type
     * @return every provider found, by priority (highest first) then name
     */
    public static <P extends NamedProvider> List<P> all(Class<P> type, ClassLoader loader) {
        List<P> out = new ArrayList<>();
        Iterator<P> it = ServiceLoader.load(type, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                P p = it.next();
                log.debug("registered {} '{}' (priority {})", type.getSimpleName(), p.name(), p.priority());
                out.add(p);
            } catch (ServiceConfigurationError e) {
                log.warn("skipping a {} that failed to load: {}", type.getSimpleName(),
                        Redaction.redact(e.getMessage()));
            }
        }
        out.sort(Comparator.comparingInt((P p) -> -p.priority()).thenComparing(NamedProvider::name));
        return out;
    }

    /**
     * @param type the provider interface
     * @param name the provider's name
     * @param loader where to look
     * @param <P> the provider type
     * @return the provider of that name
     * @throws El4nerConfigurationException if none or several have that name; the message lists what is there
     */
    public static <P extends NamedProvider> P byName(Class<P> type, String name, ClassLoader loader) {
        List<P> all = all(type, loader);
        List<P> matching = all.stream().filter(p -> p.name().equals(name)).toList();
        if (matching.isEmpty()) {
            throw new El4nerConfigurationException("no " + type.getSimpleName() + " named '" + name
                    + "'; available: " + names(all) + ". Add the jar that provides it to the class path, "
                    + "or fix the name.");
        }
        if (matching.size() > 1) {
            throw new El4nerConfigurationException("several " + type.getSimpleName() + "s are named '" + name
                    + "': " + matching.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(", "))
                    + ". Remove one of the jars.");
        }
        return matching.get(0);
    }

    /**
     * @param type the provider interface
     * @param property the system property that names the choice
     * @param loader where to look
     * @param <P> the provider type
     * @return the provider named by the property, else the only one of highest priority
     * @throws El4nerConfigurationException if none is found or the highest priority is shared
     */
    public static <P extends NamedProvider> P single(Class<P> type, String property, ClassLoader loader) {
        String named = System.getProperty(property);
        if (named != null && !named.isBlank()) {
            return byName(type, named.strip(), loader);
        }
        List<P> all = all(type, loader);
        if (all.isEmpty()) {
            throw new El4nerConfigurationException("no " + type.getSimpleName() + " found on the class path; "
                    + "add el4ner-core or a plugin that provides one");
        }
        List<P> top = all.stream().filter(p -> p.priority() == all.get(0).priority()).toList();
        if (top.size() > 1) {
            throw new El4nerConfigurationException("several " + type.getSimpleName() + "s share the highest "
                    + "priority " + all.get(0).priority() + ": " + names(top) + ". Choose one in the builder or with "
                    + "-D" + property + "=<name>.");
        }
        return top.get(0);
    }

    /**
     * @param providers providers
     * @return their names, for messages
     */
    public static List<String> names(List<? extends NamedProvider> providers) {
        return providers.stream().map(NamedProvider::name).toList();
    }
}
