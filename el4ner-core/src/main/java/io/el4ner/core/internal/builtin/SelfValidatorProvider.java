package io.el4ner.core.internal.builtin;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.Validator;
import io.el4ner.api.spi.ValidatorProvider;
import io.el4ner.core.ValidationMode;
import io.el4ner.core.internal.llm.Prompts;
import java.util.Locale;
import java.util.Set;

/**
 * Provider {@code self}: parameters {@code mode} ({@code single} (default), {@code majority},
 * {@code unanimous}) and {@code verifier} (a member name, for single; default the first member).
 */
public final class SelfValidatorProvider implements ValidatorProvider {
    /** The provider's name. */
    public static final String NAME = "self";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Validator create(ComponentConfig config) {
        config.requireOnly(Set.of("mode", "verifier"));
        String m = config.string("mode").orElse("single").toUpperCase(Locale.ROOT);
        ValidationMode mode;
        try {
            mode = ValidationMode.valueOf(m);
        } catch (IllegalArgumentException e) {
            mode = ValidationMode.NONE;
        }
        if (mode == ValidationMode.NONE) {
            throw new El4nerConfigurationException(config.component() + ": parameter 'mode' must be one of "
                    + "single, majority, unanimous; got '" + config.string("mode").orElse("") + "'");
        }
        return new SelfValidator(mode, config.string("verifier"), Prompts.defaults());
    }
}
