package io.el4ner.eval.internal;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.Redaction;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.api.spi.NamedProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the member provider that {@code record-replay} wraps, by name, with {@link ServiceLoader} and the same
 * messages as the engine's own lookup: the engine's lookup is internal to el4ner-core.
 */
final class MemberProviders {
    private static final Logger log = LoggerFactory.getLogger(MemberProviders.class);

    private MemberProviders() {
    }

    /**
     * @param name the provider's name
     * @param loader where to look
     * @return the provider of that name
     * @throws El4nerConfigurationException if none or several have that name; the message lists what is there
     */
    static ModelMemberProvider byName(String name, ClassLoader loader) {
        List<ModelMemberProvider> all = new ArrayList<>();
        Iterator<ModelMemberProvider> it = ServiceLoader.load(ModelMemberProvider.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                all.add(it.next());
            } catch (ServiceConfigurationError e) {
                log.warn("skipping a ModelMemberProvider that failed to load: {}", Redaction.redact(e.getMessage()));
            }
        }
        List<ModelMemberProvider> matching = all.stream().filter(p -> p.name().equals(name)).toList();
        if (matching.size() == 1) {
            return matching.get(0);
        }
        if (matching.isEmpty()) {
            throw new El4nerConfigurationException("no ModelMemberProvider named '" + name + "'; available: "
                    + all.stream().map(NamedProvider::name).sorted().toList() + ". Add the jar that provides it to "
                    + "the class path, or fix the name.");
        }
        throw new El4nerConfigurationException("several ModelMemberProviders are named '" + name + "': "
                + matching.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(", "))
                + ". Remove one of the jars.");
    }
}
