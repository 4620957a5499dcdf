package io.el4ner.tck;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/** Creates {@link EchoMember}s; registered for {@link java.util.ServiceLoader} in the test resources. */
public final class EchoMemberProvider implements ModelMemberProvider {
    private static final Set<String> KNOWN = Set.of("name", "model", "mode", "delayMillis", "timeoutMillis", "apiKey");

    /** Called by {@link java.util.ServiceLoader}. */
    public EchoMemberProvider() {
    }

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public ModelMember create(ComponentConfig config) {
        config.requireOnly(KNOWN);
        String model = config.requireString("model");
        String mode = config.string("mode").orElse("ok");
        EchoMember.Mode parsed;
        try {
            parsed = EchoMember.Mode.valueOf(mode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new El4nerConfigurationException(config.component() + ": parameter 'mode' must be ok, fail or slow,"
                    + " got " + mode, e);
        }
        return new EchoMember(config.string("name").orElse(model), parsed,
                Duration.ofMillis(config.integer("delayMillis", 0)),
                Duration.ofMillis(config.integer("timeoutMillis", 10_000)),
                config.string("apiKey").orElse(""));
    }
}
