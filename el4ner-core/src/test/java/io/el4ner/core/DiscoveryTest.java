package io.el4ner.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.NerResult;
import io.el4ner.api.Stage;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.AggregatorProvider;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.api.spi.RetrieverProvider;
import io.el4ner.api.spi.ValidatorProvider;
import io.el4ner.core.internal.Providers;
import io.el4ner.core.internal.builtin.VotingAggregator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DiscoveryTest {
    private static final ClassLoader LOADER = DiscoveryTest.class.getClassLoader();

    /** A member provider registered in this module's test resources. */
    public static final class FixedMemberProvider implements ModelMemberProvider {
        static final AtomicInteger CLOSED = new AtomicInteger();

        @Override
        public String name() {
            return "test-fixed";
        }

        @Override
        public ModelMember create(ComponentConfig config) {
            config.requireOnly(Set.of("name", "entities"));
            String name = config.requireString("name");
            String entities = config.string("entities").orElse("[]");
            return new ModelMember() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public ChatResponse chat(ChatRequest request) {
                    String text = switch (request.context().stage()) {
                        case PRE_EXTRACTION, EXTRACTION -> entities;
                        case CLASSIFICATION -> EnsembleFixtures.labelsFrom(request, Map.of("Paris", "LOC"));
                        case VALIDATION -> EnsembleFixtures.verdicts(request, List.of());
                    };
                    return ChatResponse.of(text, TokenUsage.UNREPORTED);
                }

                @Override
                public void close() {
                    CLOSED.incrementAndGet();
                }
            };
        }
    }

    /** Two providers with one name: a broken deployment. */
    public static final class DuplicateOne implements ModelMemberProvider {
        @Override
        public String name() {
            return "test-duplicate";
        }

        @Override
        public ModelMember create(ComponentConfig config) {
            throw new UnsupportedOperationException();
        }
    }

    /** The second of the duplicates. */
    public static final class DuplicateTwo implements ModelMemberProvider {
        @Override
        public String name() {
            return "test-duplicate";
        }

        @Override
        public ModelMember create(ComponentConfig config) {
            throw new UnsupportedOperationException();
        }
    }

    /** Aggregators of equal high priority: a choice must be made explicitly. */
    public static final class HighA implements AggregatorProvider {
        @Override
        public String name() {
            return "test-high-a";
        }

        @Override
        public int priority() {
            return 100;
        }

        @Override
        public Aggregator create(ComponentConfig config) {
            return new VotingAggregator(1, Map.of());
        }
    }

    /** The other one. */
    public static final class HighB implements AggregatorProvider {
        @Override
        public String name() {
            return "test-high-b";
        }

        @Override
        public int priority() {
            return 100;
        }

        @Override
        public Aggregator create(ComponentConfig config) {
            return new VotingAggregator(2, Map.of());
        }
    }

    @Test
    void all_builtInProviders_areRegistered() {
        assertThat(Providers.names(Providers.all(RetrieverProvider.class, LOADER))).contains("token-overlap");
        assertThat(Providers.names(Providers.all(AggregatorProvider.class, LOADER))).contains("voting");
        assertThat(Providers.names(Providers.all(ValidatorProvider.class, LOADER))).contains("self");
    }

    @Test
    void all_severalProviders_ordersByPriorityThenName() {
        assertThat(Providers.names(Providers.all(AggregatorProvider.class, LOADER)))
                .containsExactly("test-high-a", "test-high-b", "voting");
    }

    @Test
    void byName_unknownName_throwsListingWhatIsAvailable() {
        assertThatThrownBy(() -> Providers.byName(RetrieverProvider.class, "no-such-retriever", LOADER))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("no RetrieverProvider named 'no-such-retriever'")
                .hasMessageContaining("token-overlap")
                .hasMessageContaining("Add the jar");
    }

    @Test
    void byName_duplicateName_throwsNamingBothClasses() {
        assertThatThrownBy(() -> Providers.byName(ModelMemberProvider.class, "test-duplicate", LOADER))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining(DuplicateOne.class.getName())
                .hasMessageContaining(DuplicateTwo.class.getName());
    }

    @Test
    void single_tie_throwsUnlessAPropertyNamesOne() {
        String prop = "el4ner.test.aggregator";
        assertThatThrownBy(() -> Providers.single(AggregatorProvider.class, prop, LOADER))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("test-high-a").hasMessageContaining("test-high-b")
                .hasMessageContaining("-D" + prop);
        System.setProperty(prop, "test-high-b");
        try {
            assertThat(Providers.single(AggregatorProvider.class, prop, LOADER)).isInstanceOf(HighB.class);
        } finally {
            System.clearProperty(prop);
        }
    }

    @Test
    void build_membersByProvider_createsThemAndCloseClosesThem() {
        int before = FixedMemberProvider.CLOSED.get();
        EnsembleNer ner = EnsembleNer.builder().entityType("LOC", "places")
                .member("test-fixed", Map.of("name", "one", "entities", "[\"Paris\"]"))
                .member("test-fixed", Map.of("name", "two"))
                .validator("self", Map.of("mode", "majority"))
                .build();
        NerResult r = ner.recognize("We flew to Paris.");
        assertThat(r.entities()).extracting(e -> e.text() + "/" + e.type()).containsExactly("Paris/LOC");
        assertThat(r.usage().calls(Stage.VALIDATION)).isEqualTo(2);
        assertThat(ner.memberNames()).containsExactly("one", "two");
        ner.close();
        assertThat(FixedMemberProvider.CLOSED.get() - before).isEqualTo(2);
    }

    @Test
    void build_severalConfigurationProblems_reportsEveryOneAtOnce() {
        int closedBefore = FixedMemberProvider.CLOSED.get();
        List<Demonstration> pool = List.of(new Demonstration("Paris is big", List.of(new LabeledSpan(0, 5, "LOC"))));
        El4nerConfigurationException e = catchThrowableOfType(() -> EnsembleNer.builder().entityType("LOC", "")
                .member("test-fixed", Map.of("name", "one", "entitees", "[]"))
                .member("test-fixed", Map.of("name", "two"))
                .member("no-such-provider", Map.of("name", "three"))
                .memberWeights(Map.of("one", 1.0, "tow", 2.0))
                .verifier("too")
                .demonstrations(pool)
                .retriever("token-overlap", Map.of("colour", "red"))
                .build(), El4nerConfigurationException.class);

        assertThat(e.problems()).hasSize(5);
        assertThat(e.problems().get(0)).startsWith("member #1 (test-fixed): unknown parameter 'entitees'; "
                + "did you mean 'entities'?");
        assertThat(e.problems().get(1)).startsWith("no ModelMemberProvider named 'no-such-provider'");
        assertThat(e.problems().subList(2, 5)).containsExactly(
                "memberWeights names 'tow', which is not a member; members: [one, two, three]",
                "verifier 'too' is not a member; members: [one, two, three]",
                "retriever token-overlap: unknown parameter 'colour'; known parameters: []");
        assertThat(e.getMessage()).startsWith("5 configuration problems: member #1 (test-fixed): unknown parameter");
        assertThat(FixedMemberProvider.CLOSED.get() - closedBefore).as("member 'two', created, is closed again")
                .isEqualTo(1);
    }

    @Test
    void build_memberWithoutAKnownName_skipsTheNameChecks() {
        El4nerConfigurationException e = catchThrowableOfType(() -> EnsembleNer.builder().entityType("LOC", "")
                .member("test-fixed", Map.of("name", "one"))
                .member("no-such-provider", Map.of())
                .memberWeights(Map.of("whoever", 1.0))
                .build(), El4nerConfigurationException.class);
        assertThat(e.problems()).singleElement().asString().startsWith("no ModelMemberProvider named");
    }

    @Test
    void build_badBuilderSettings_reportsThemBeforeCreatingAnyComponent() {
        int closedBefore = FixedMemberProvider.CLOSED.get();
        El4nerConfigurationException e = catchThrowableOfType(() -> EnsembleNer.builder()
                .entityType("LOC", "").entityType("none", "")
                .demonstrations(List.of(new Demonstration("Bob ran", List.of(new LabeledSpan(0, 3, "PER")))))
                .member("test-fixed", Map.of("name", "one", "entitees", "[]"))
                .validator("self", Map.of()).verifier("one")
                .build(), El4nerConfigurationException.class);
        assertThat(e.problems()).containsExactly("entity type 'none' is reserved for 'not an entity'",
                "a demonstration uses type 'PER', which is not in the label set [LOC, none]: Bob ran",
                "validation(...) and verifier(...) configure self-validation; they cannot be combined with "
                        + "validator(...)");
        assertThat(FixedMemberProvider.CLOSED.get()).isEqualTo(closedBefore);
    }

    @Test
    void build_badProviderParameters_throwsConfigurationException() {
        assertThatThrownBy(() -> EnsembleNer.builder().entityType("LOC", "")
                .member("test-fixed", Map.of("name", "one", "entitees", "[]")).build())
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("unknown parameter 'entitees'");
        assertThatThrownBy(() -> EnsembleNer.builder().entityType("LOC", "")
                .member("test-fixed", Map.of("name", "x")).validator("self", Map.of("mode", "sometimes")).build())
                .hasMessageContaining("'mode'");
        assertThatThrownBy(() -> EnsembleNer.builder().entityType("LOC", "")
                .member("test-fixed", Map.of()).build())
                .hasMessageContaining("missing required parameter 'name'");
    }

    @Test
    void componentConfig_secretValues_areHiddenInToStringAndErrors() {
        ComponentConfig c = ComponentConfig.of("member x", Map.of("apiKey", "sk-123", "model", "qwen"));
        assertThat(c.toString()).contains("model=qwen").contains("apiKey=****").doesNotContain("sk-123");
        ComponentConfig nested = ComponentConfig.of("m", Map.of("headers", Map.of("Authorization", "Bearer xyz"),
                "list", List.of(Map.of("token", "t0k"))));
        assertThat(nested.toString()).contains("Authorization=****").doesNotContain("xyz").doesNotContain("t0k");
        assertThatThrownBy(() -> ComponentConfig.of("m", Map.of("apiKey", 42)).string("apiKey"))
                .hasMessageContaining("'apiKey'").hasMessageNotContaining("42");
    }
}
