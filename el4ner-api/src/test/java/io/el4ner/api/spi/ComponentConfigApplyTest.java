package io.el4ner.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.El4nerConfigurationException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ComponentConfigApplyTest {
    private final ComponentConfig config = ComponentConfig.of("member 'm'", Map.of("threads", -1));

    @Test
    void apply_setterRejectsTheValue_throwsConfigurationProblemNamingComponentAndParameter() {
        IllegalArgumentException cause = new IllegalArgumentException("must be > 0, got -1");
        assertThatThrownBy(() -> config.apply("threads", () -> {
            throw cause;
        })).isInstanceOf(El4nerConfigurationException.class)
                .hasMessage("member 'm': parameter 'threads': must be > 0, got -1")
                .hasCause(cause);
    }

    @Test
    void apply_setterAccepts_runsItOnce() {
        AtomicInteger runs = new AtomicInteger();
        config.apply("threads", runs::incrementAndGet);
        assertThat(runs).hasValue(1);
    }
}
