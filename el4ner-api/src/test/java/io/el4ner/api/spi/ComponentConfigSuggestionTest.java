package io.el4ner.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.el4ner.api.El4nerConfigurationException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ComponentConfigSuggestionTest {
    private static final Set<String> KNOWN = Set.of("name", "baseUrl", "baseUrls", "model", "apiKeyEnv",
            "temperature", "maxTokens");

    @Test
    void requireOnly_unknownParameter_namesTheClosestKnownOne() {
        ComponentConfig c = ComponentConfig.of("member 'qwen'", Map.of("apikey", "OPENAI_API_KEY", "model", "m"));
        assertThatThrownBy(() -> c.requireOnly(KNOWN))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageStartingWith("member 'qwen': unknown parameter 'apikey'; did you mean 'apiKeyEnv'? "
                        + "known parameters: [apiKeyEnv, baseUrl, ");
    }

    @Test
    void closest_caseTyposAndPrefixes_findsTheKnownName() {
        assertThat(ComponentConfig.closest("APIKEYENV", KNOWN)).isEqualTo("apiKeyEnv");
        assertThat(ComponentConfig.closest("temprature", KNOWN)).isEqualTo("temperature");
        assertThat(ComponentConfig.closest("maxToken", KNOWN)).isEqualTo("maxTokens");
        assertThat(ComponentConfig.closest("baseURL", KNOWN)).isEqualTo("baseUrl");
        assertThat(ComponentConfig.closest("modle", KNOWN)).isEqualTo("model");
        assertThat(ComponentConfig.closest("retries", KNOWN)).isNull();
        assertThat(ComponentConfig.closest("x", KNOWN)).isNull();
    }

    @Test
    void requireOnly_nothingClose_listsOnlyTheKnownNames() {
        ComponentConfig c = ComponentConfig.of("retriever", Map.of("colour", "red"));
        assertThatThrownBy(() -> c.requireOnly(Set.of("index", "threads")))
                .hasMessage("retriever: unknown parameter 'colour'; known parameters: [index, threads]");
    }

    @Test
    void requireOnly_severalUnknownParameters_reportsEveryOneAtOnce() {
        ComponentConfig c = ComponentConfig.of("member 'qwen'", Map.of("apiKey", "x", "modle", "m", "model", "m",
                "colour", "red"));
        El4nerConfigurationException e = catchThrowableOfType(() -> c.requireOnly(KNOWN),
                El4nerConfigurationException.class);
        assertThat(e.problems()).containsExactly(
                "member 'qwen': unknown parameter 'apiKey'; did you mean 'apiKeyEnv'? known parameters: "
                        + "[apiKeyEnv, baseUrl, baseUrls, maxTokens, model, name, temperature]",
                "member 'qwen': unknown parameter 'colour'; known parameters: "
                        + "[apiKeyEnv, baseUrl, baseUrls, maxTokens, model, name, temperature]",
                "member 'qwen': unknown parameter 'modle'; did you mean 'model'? known parameters: "
                        + "[apiKeyEnv, baseUrl, baseUrls, maxTokens, model, name, temperature]");
        assertThat(e.getMessage()).startsWith("3 configuration problems: member 'qwen': unknown parameter 'apiKey'")
                .contains("; member 'qwen': unknown parameter 'colour'")
                .contains("; member 'qwen': unknown parameter 'modle'");
    }

    @Test
    void editDistance_twoStrings_countsSingleCharacterEdits() {
        assertThat(ComponentConfig.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(ComponentConfig.editDistance("", "abc")).isEqualTo(3);
        assertThat(ComponentConfig.editDistance("same", "same")).isZero();
    }
}
