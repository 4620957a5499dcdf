package io.el4ner.eval.internal;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.DatasetFormatException;
import io.el4ner.eval.Scheme;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Provider {@code simulated}: parameters {@code name}, {@code gold} (a CoNLL file), {@code scheme}
 * ({@code iob1}, {@code iob2} (default), {@code bioes}), {@code column} (the tag column, default the last),
 * the error rates {@code missRate}, {@code boundaryRate}, {@code typeRate}, {@code hallucinationRate},
 * {@code verifierErrorRate} (each in [0, 1], default 0) and {@code seed} (default 0).
 */
public final class SimulatedProvider implements ModelMemberProvider {
    @Override
    public String name() {
        return "simulated";
    }

    @Override
    public ModelMember create(ComponentConfig config) {
        config.requireOnly(Set.of("name", "gold", "scheme", "column", "missRate", "boundaryRate", "typeRate",
                "hallucinationRate", "verifierErrorRate", "seed"));
        String name = config.requireString("name");
        Path gold = ProviderFiles.existing(config, "gold");
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
