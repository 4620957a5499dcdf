package io.el4ner.core.internal;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.core.eval.ConllReader;
import io.el4ner.core.eval.ConllSentence;
import io.el4ner.core.eval.DatasetFormatException;
import io.el4ner.core.eval.PredictionFiles;
import io.el4ner.core.eval.Scheme;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Providers of the members that answer without a model, for evaluation and studies. */
public final class EvaluationMemberProviders {
    private EvaluationMemberProviders() {
    }

    private static Path existing(ComponentConfig config, String key) {
        Path p = config.requirePath(key);
        if (!Files.isRegularFile(p)) {
            throw new El4nerConfigurationException(config.component() + ": parameter '" + key + "' names " + p
                    + ", which is not a readable file (relative paths are resolved against "
                    + (config.baseDirectory() != null ? config.baseDirectory() : Path.of("")).toAbsolutePath() + ")");
        }
        return p;
    }

    /**
     * Provider {@code replay-predictions}: parameters {@code name} (the member's name) and {@code file} (a
     * predictions file in el4ner's JSON Lines format, one {@code {"text", "entities"}} object per line). A file
     * that cannot be read or is damaged is an {@link El4nerConfigurationException} naming it (and the line).
     */
    public static final class ReplayPredictions implements ModelMemberProvider {
        @Override
        public String name() {
            return "replay-predictions";
        }

        @Override
        public ModelMember create(ComponentConfig config) {
            config.requireOnly(Set.of("name", "file"));
            String name = config.requireString("name");
            Path file = existing(config, "file");
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

    /**
     * Provider {@code simulated}: parameters {@code name}, {@code gold} (a CoNLL file), {@code scheme}
     * ({@code iob1}, {@code iob2} (default), {@code bioes}), {@code column} (the tag column, default the last),
     * the error rates {@code missRate}, {@code boundaryRate}, {@code typeRate}, {@code hallucinationRate},
     * {@code verifierErrorRate} (each in [0, 1], default 0) and {@code seed} (default 0).
     */
    public static final class Simulated implements ModelMemberProvider {
        @Override
        public String name() {
            return "simulated";
        }

        @Override
        public ModelMember create(ComponentConfig config) {
            config.requireOnly(Set.of("name", "gold", "scheme", "column", "missRate", "boundaryRate", "typeRate",
                    "hallucinationRate", "verifierErrorRate", "seed"));
            String name = config.requireString("name");
            Path gold = existing(config, "gold");
            Scheme scheme;
            try {
                scheme = Scheme.parse(config.string("scheme").orElse("iob2"));
            } catch (IllegalArgumentException e) {
                throw new El4nerConfigurationException(config.component() + ": parameter 'scheme': " + e.getMessage());
            }
            ConllReader.Builder reader = ConllReader.builder().scheme(scheme);
            try {
                reader.tagColumn(config.integer("column", -1));
            } catch (IllegalArgumentException e) {
                throw new El4nerConfigurationException(config.component() + ": parameter 'column': " + e.getMessage());
            }
            SimulatedMember.Rates rates;
            try {
                rates = new SimulatedMember.Rates(config.decimal("missRate", 0), config.decimal("boundaryRate", 0),
                        config.decimal("typeRate", 0), config.decimal("hallucinationRate", 0),
                        config.decimal("verifierErrorRate", 0));
            } catch (IllegalArgumentException e) {
                throw new El4nerConfigurationException(config.component() + ": " + e.getMessage());
            }
            List<Demonstration> sentences;
            try {
                sentences = reader.build().read(gold).stream().map(ConllSentence::toDemonstration).toList();
            } catch (IOException e) {
                throw new El4nerConfigurationException(config.component() + ": cannot read " + gold + ": "
                        + e.getMessage(), e);
            } catch (DatasetFormatException e) {
                throw new El4nerConfigurationException(config.component() + ": " + e.getMessage(), e);
            }
            return new SimulatedMember(name, sentences, rates, config.integer("seed", 0));
        }
    }
}
