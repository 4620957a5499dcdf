package io.el4ner.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ModelMemberProvider} must meet: it is registered for {@link ServiceLoader} under a
 * well-formed name, creates a member from valid parameters, and rejects unknown or missing parameters with an
 * {@link El4nerConfigurationException} that names the parameter. Extend it in a concrete test class.
 *
 * @since 0.1
 */
public abstract class ModelMemberProviderContractTest {
    /** A parameter name no provider knows. */
    protected static final String UNKNOWN_PARAMETER = "no-such-parameter-xyz";

    private static final String NAME_PATTERN = "[a-z0-9][a-z0-9-]*";
    private static final String COMPONENT = "member 'tck'";

    /** Creates the kit; concrete subclasses are instantiated by JUnit. */
    protected ModelMemberProviderContractTest() {
    }

    /**
     * The name the provider is registered under.
     *
     * @return the provider's name, e.g. {@code openai-compatible}
     */
    protected abstract String providerName();

    /**
     * Parameters with which {@code create} succeeds without a network or model download, e.g. pointing at a local
     * stub or a tiny fixture model.
     *
     * @return valid parameters
     */
    protected abstract Map<String, Object> validParameters();

    /**
     * A parameter that {@code create} needs; it must be among {@link #validParameters()}. Enables the test that
     * leaving it out fails with a message naming it.
     *
     * @return the name of a required parameter, or empty (the default) to skip that test
     */
    protected Optional<String> requiredParameter() {
        return Optional.empty();
    }

    /**
     * Finds the provider under test with {@link ServiceLoader}.
     *
     * @return the provider registered as {@link #providerName()}
     * @throws AssertionError if no provider, or more than one, has that name
     */
    protected final ModelMemberProvider provider() {
        List<ModelMemberProvider> found = ServiceLoader.load(ModelMemberProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> providerName().equals(p.name()))
                .collect(Collectors.toList());
        assertThat(found).as("ModelMemberProviders named '%s' found by ServiceLoader", providerName()).hasSize(1);
        return found.get(0);
    }

    @Test
    @DisplayName("discovery: ServiceLoader finds exactly one provider with the name")
    void registeredOnce() {
        assertThat(provider().name()).isEqualTo(providerName());
    }

    @Test
    @DisplayName("discovery: the name is lower-case ASCII letters, digits and '-'")
    void nameIsWellFormed() {
        assertThat(providerName()).as("providerName()").matches(NAME_PATTERN);
        assertThat(provider().name()).as("name()").matches(NAME_PATTERN);
    }

    @Test
    @DisplayName("create() creates a named member from valid parameters")
    void createsMemberFromValidParameters() {
        try (ModelMember member = provider().create(ComponentConfig.of(COMPONENT, validParameters()))) {
            assertThat(member).as("created member").isNotNull();
            assertThat(member.name()).as("name() of the created member").isNotBlank();
            if (validParameters().get("name") instanceof String name) {
                assertThat(member.name()).as("name() of a member given a 'name' parameter").isEqualTo(name);
            }
        }
    }

    @Test
    @DisplayName("create() rejects an unknown parameter with an El4nerConfigurationException naming it")
    void rejectsUnknownParameter() {
        Map<String, Object> parameters = new HashMap<>(validParameters());
        parameters.put(UNKNOWN_PARAMETER, "x");
        assertRejected(parameters, UNKNOWN_PARAMETER);
    }

    @Test
    @DisplayName("create() rejects a missing required parameter with an El4nerConfigurationException naming it")
    void rejectsMissingRequiredParameter() {
        Optional<String> required = requiredParameter();
        assumeTrue(required.isPresent(), "no required parameter declared");
        Map<String, Object> parameters = new HashMap<>(validParameters());
        assertThat(parameters).as("validParameters()").containsKey(required.get());
        parameters.remove(required.get());
        assertRejected(parameters, required.get());
    }

    private void assertRejected(Map<String, Object> parameters, String parameter) {
        ModelMemberProvider provider = provider();
        ModelMember created = null;
        Throwable thrown = null;
        try {
            created = provider.create(ComponentConfig.of(COMPONENT, parameters));
        } catch (RuntimeException e) {
            thrown = e;
        } finally {
            if (created != null) {
                created.close();
            }
        }
        assertThat(thrown).as("what create() throws for parameters %s", parameters.keySet())
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining(parameter);
    }
}
