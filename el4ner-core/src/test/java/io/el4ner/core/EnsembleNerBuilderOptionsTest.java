package io.el4ner.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.spi.SentenceSplitter;
import io.el4ner.core.internal.assembly.ComponentChoice;
import io.el4ner.core.internal.assembly.EnsembleSpec;
import io.el4ner.core.internal.builtin.TokenOverlapRetriever;
import io.el4ner.core.internal.builtin.VotingAggregator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every single-valued builder option can be set once; what {@code defaultEnsemble()} sets are defaults. */
class EnsembleNerBuilderOptionsTest {

    static Stream<Arguments> options() {
        SentenceSplitter splitter = text -> List.of();
        return Stream.of(
                option("demonstration count", b -> b.demonstrationCount(3)),
                option("retriever", b -> b.retriever("token-overlap", Map.of())),
                option("retriever", b -> b.retriever(new TokenOverlapRetriever(List.of()))),
                option("aggregator", b -> b.aggregator("voting", Map.of())),
                option("aggregator", b -> b.aggregator(new VotingAggregator(1, Map.of()))),
                option("extraction quorum", b -> b.extractionQuorum(2)),
                option("validation", b -> b.validation(ValidationMode.NONE)),
                option("verifier", b -> b.verifier("a")),
                option("skipValidationWhenUnanimous", b -> b.skipValidationWhenUnanimous(true)),
                option("validator", b -> b.validator("self", Map.of())),
                option("executor", b -> b.executor(Runnable::run)),
                option("maxConcurrentCalls", b -> b.maxConcurrentCalls(2)),
                option("base directory", b -> b.baseDirectory(Path.of("."))),
                option("sentenceParallelism", b -> b.sentenceParallelism(2)),
                option("timeout", b -> b.timeout(Duration.ofSeconds(1))),
                option("sentence splitter", b -> b.sentenceSplitter(splitter)),
                option("windowTokens", b -> b.windowTokens(100)),
                option("nestedEntities", b -> b.nestedEntities(true)),
                option("class loader", b -> b.classLoader(ClassLoader.getSystemClassLoader())));
    }

    private static Arguments option(String name, Consumer<EnsembleNer.Builder> setter) {
        return Arguments.of(name, setter);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void setter_calledTwice_throwsIse(String name, Consumer<EnsembleNer.Builder> setter) {
        EnsembleNer.Builder b = EnsembleNer.builder();
        setter.accept(b);
        assertThatThrownBy(() -> setter.accept(b)).isInstanceOf(IllegalStateException.class)
                .hasMessage(name + " was already set; it can be set once");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void setter_afterDefaultEnsemble_canBeCalledOnceMore(String name, Consumer<EnsembleNer.Builder> setter) {
        EnsembleNer.Builder b = EnsembleNer.builder().defaultEnsemble();
        setter.accept(b);
        assertThatThrownBy(() -> setter.accept(b)).isInstanceOf(IllegalStateException.class)
                .hasMessage(name + " was already set; it can be set once");
    }

    @Test
    void setter_invalidValue_doesNotCountAsSet() {
        EnsembleNer.Builder b = EnsembleNer.builder();
        assertThatThrownBy(() -> b.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.demonstrationCount(-1)).isInstanceOf(IllegalArgumentException.class);
        b.timeout(Duration.ofSeconds(7)).demonstrationCount(2);
        assertThat(b.spec().timeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(b.spec().k()).isEqualTo(2);
    }

    @Test
    void defaultEnsemble_thenUserSetsOption_userValueWins() {
        EnsembleSpec defaults = EnsembleNer.builder().defaultEnsemble().spec();
        assertThat(defaults.validation()).isEqualTo(DefaultEnsemble.VALIDATION);
        assertThat(defaults.k()).isEqualTo(DefaultEnsemble.DEMONSTRATION_COUNT);

        EnsembleSpec spec = EnsembleNer.builder().defaultEnsemble()
                .demonstrationCount(1)
                .retriever("token-overlap", Map.of())
                .validation(ValidationMode.NONE)
                .verifier("b")
                .timeout(Duration.ofSeconds(9))
                .spec();
        assertThat(spec.k()).isEqualTo(1);
        assertThat(spec.retriever()).isEqualTo(new ComponentChoice.Named<>("token-overlap", Map.of()));
        assertThat(spec.validation()).isEqualTo(ValidationMode.NONE);
        assertThat(spec.verifier()).isEqualTo("b");
        assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(spec.members()).hasSameSizeAs(defaults.members());
        assertThat(spec.types()).isEqualTo(defaults.types());
    }

    @Test
    void defaultEnsemble_afterUserSetOption_userValueWins() {
        EnsembleSpec spec = EnsembleNer.builder()
                .validation(ValidationMode.MAJORITY)
                .demonstrationCount(0)
                .defaultEnsemble()
                .spec();
        assertThat(spec.validation()).isEqualTo(ValidationMode.MAJORITY);
        assertThat(spec.k()).isZero();
        assertThat(spec.retriever()).isEqualTo(new ComponentChoice.Named<>(DefaultEnsemble.RETRIEVER, Map.of()));
    }

    @Test
    void defaultEnsemble_calledTwice_addsListsAgainButSetsNoOption() {
        EnsembleNer.Builder b = EnsembleNer.builder().defaultEnsemble().defaultEnsemble();
        assertThat(b.spec().types()).hasSize(2 * DefaultEnsemble.entityTypes().size());
        b.validation(ValidationMode.NONE);
        assertThat(b.spec().validation()).isEqualTo(ValidationMode.NONE);
    }

    @Test
    void listOptions_calledTwice_add() {
        EnsembleNer.Builder b = EnsembleNer.builder().entityType("PER", "people").entityType("LOC", "places")
                .memberWeights(Map.of("a", 2.0)).memberWeights(Map.of("b", 3.0));
        assertThat(b.spec().types()).hasSize(2);
        assertThat(b.spec().weights()).containsOnlyKeys("a", "b");
    }
}
