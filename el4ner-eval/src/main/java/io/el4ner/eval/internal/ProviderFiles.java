package io.el4ner.eval.internal;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/** The file parameters of the evaluation members' providers: a path that must name a readable file. */
final class ProviderFiles {
    private ProviderFiles() {
    }

    /**
     * @param config the component's configuration
     * @param key the parameter that names the file
     * @return the file
     * @throws El4nerConfigurationException when the parameter is missing or does not name a regular file
     */
    static Path existing(ComponentConfig config, String key) {
        Path p = config.requirePath(key);
        if (!Files.isRegularFile(p)) {
            throw new El4nerConfigurationException(config.component() + ": parameter '" + key + "' names " + p
                    + ", which is not a readable file (relative paths are resolved against "
                    + (config.baseDirectory() != null ? config.baseDirectory() : Path.of("")).toAbsolutePath() + ")");
        }
        return p;
    }
}
