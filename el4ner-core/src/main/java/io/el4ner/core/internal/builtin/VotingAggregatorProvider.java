package io.el4ner.core.internal.builtin;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.AggregatorProvider;
import io.el4ner.api.spi.ComponentConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Provider {@code voting}: parameters {@code quorum} (int, default 1) and {@code weights} (member → number). */
public final class VotingAggregatorProvider implements AggregatorProvider {
    /** The provider's name. */
    public static final String NAME = "voting";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Aggregator create(ComponentConfig config) {
        config.requireOnly(Set.of("quorum", "weights"));
        Object w = config.parameters().get("weights");
        Map<String, Double> weights = new HashMap<>();
        if (w instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getValue() instanceof Number n)) {
                    throw new El4nerConfigurationException(config.component() + ": weight of '" + e.getKey()
                            + "' must be a number, got " + e.getValue());
                }
                weights.put(String.valueOf(e.getKey()), n.doubleValue());
            }
        } else if (w != null) {
            throw new El4nerConfigurationException(config.component()
                    + ": parameter 'weights' must be an object mapping member names to numbers");
        }
        return new VotingAggregator(config.integer("quorum", 1), weights);
    }
}
