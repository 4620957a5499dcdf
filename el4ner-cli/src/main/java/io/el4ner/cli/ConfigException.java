package io.el4ner.cli;

import io.el4ner.api.El4nerConfigurationException;
import java.util.List;

/**
 * A configuration file or an input the CLI cannot use; every problem ({@link #problems()}) names where it is and what
 * to fix.
 */
final class ConfigException extends El4nerConfigurationException {
    private static final long serialVersionUID = 1L;

    /** @param problems one line each, already prefixed with the file they are about */
    ConfigException(List<String> problems) {
        super(problems);
    }

    /** @param problem one line, already prefixed with the file it is about */
    ConfigException(String problem) {
        super(problem);
    }
}
