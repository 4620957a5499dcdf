package io.el4ner.eval.internal;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.eval.DatasetFormatException;
import io.el4ner.eval.PredictionFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Provider {@code replay-predictions}: parameters {@code name} (the member's name) and {@code file} (a
 * predictions file in el4ner's JSON Lines format, one {@code {"text", "entities"}} object per line). A file
 * that cannot be read or is damaged is an {@link El4nerConfigurationException} naming it (and the line).
 */
public final class ReplayPredictionsProvider implements ModelMemberProvider {
    @Override
    public String name() {
        return "replay-predictions";
    }

    @Override
    public ModelMember create(ComponentConfig config) {
        config.requireOnly(Set.of("name", "file"));
        String name = config.requireString("name");
        Path file = ProviderFiles.existing(config, "file");
        try {
            return new ReplayPredictionsMember(name, PredictionFiles.readJsonl(file));
        } catch (IOException e) {
            throw new El4nerConfigurationException(config.component() + ": cannot read " + file + ": "
                    + e.getMessage(), e);
        } catch (DatasetFormatException e) {
            // a damaged file named by the configuration, like a damaged index: fixed in the configuration
            throw new El4nerConfigurationException(config.component() + ": " + e.getMessage(), e);
        }
    }
}
