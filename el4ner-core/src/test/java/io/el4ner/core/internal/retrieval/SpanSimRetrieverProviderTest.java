package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.RetrieverProvider;
import io.el4ner.core.internal.Providers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SpanSimRetrieverProvider}: found by name, and its parameters checked. */
class SpanSimRetrieverProviderTest {
    private static final List<Demonstration> POOL = SpanSimRetrieverTest.POOL;

    private static Retriever create(List<Demonstration> pool, Map<String, Object> parameters) {
        return SpanSimRetrieverTest.create(pool, parameters);
    }

    @Test
    void byName_spanSim_isFoundButNeverChosenByDefault() {
        ClassLoader loader = getClass().getClassLoader();
        RetrieverProvider p = Providers.byName(RetrieverProvider.class, "span-sim", loader);
        assertThat(p).isInstanceOf(SpanSimRetrieverProvider.class);
        assertThat(p.priority()).isLessThan(0);
        assertThat(Providers.single(RetrieverProvider.class, "el4ner.retriever.unset", loader).name())
                .isEqualTo("token-overlap");
    }

    @Test
    void create_badConfigurations_throws() {
        assertThatThrownBy(() -> create(List.of(), Map.of())).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("pool is empty");
        assertThatThrownBy(() -> create(POOL, Map.of("spanVector", "text")))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("unknown parameter 'spanVector'");
        assertThatThrownBy(() -> create(POOL, Map.of("spanVectors", "tokens")))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("\"text\" or \"context\"");
        assertThatThrownBy(() -> create(POOL, Map.of("approximate", "sometimes")))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("\"auto\"");
        assertThatThrownBy(() -> create(POOL, Map.of("threads", 0)))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("'threads'");
        assertThatThrownBy(() -> create(POOL, Map.of("encoder", "test-trigram")))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("'encoder' must be an object");
        assertThatThrownBy(() -> create(POOL, Map.of("encoder", Map.of("provider", "no-such-encoder"))))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("no-such-encoder")
                .hasMessageContaining("test-trigram");
        assertThatThrownBy(() -> create(POOL, Map.of("weights", Map.of("verb", 3))))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("'verb'");
    }

    @Test
    void create_withoutEl4nerOnnx_namesTheDependencyOfTheDefaultEncoder() {
        RetrieverProvider provider = Providers.byName(RetrieverProvider.class, "span-sim", getClass().getClassLoader());
        // el4ner-onnx is not a dependency of core's tests: the default encoder cannot be found
        assertThatThrownBy(() -> provider.create(new ComponentConfig("retriever span-sim", Map.of(), List.of(), POOL)))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("'onnx-sentence' comes with io.el4ner:el4ner-onnx")
                .hasMessageContaining("test-trigram");
    }

    @Test
    void create_negativeSpanCache_throws() {
        assertThatThrownBy(() -> create(POOL, Map.of("spanCache", -1)))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("'spanCache' must be >= 0");
    }
}
