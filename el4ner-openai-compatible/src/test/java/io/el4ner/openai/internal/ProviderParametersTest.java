package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.openai.Flavor;
import io.el4ner.openai.OpenAiCompatibleMember;
import io.el4ner.openai.Stubs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The provider's parameters: every one is read, and a wrong one is named in the error. */
class ProviderParametersTest {
    private final OpenAiCompatibleMemberProvider provider = new OpenAiCompatibleMemberProvider(Stubs.env()::get);

    private static Map<String, Object> base() {
        Map<String, Object> p = new HashMap<>();
        p.put("name", "qwen");
        p.put("baseUrl", "http://127.0.0.1:8000/v1");
        p.put("model", "Qwen/Qwen2.5-7B-Instruct");
        return p;
    }

    private ModelMember create(Map<String, Object> p) {
        return provider.create(ComponentConfig.of("member 'qwen'", p));
    }

    @Test
    void create_everyDocumentedParameter_isRead() {
        Map<String, Object> p = new HashMap<>();
        p.put("name", "qwen");
        p.put("baseUrls", List.of("http://127.0.0.1:8000/v1", "http://127.0.0.1:8001"));
        p.put("model", "Qwen/Qwen2.5-7B-Instruct");
        p.put("apiKeyEnv", Stubs.KEY_VARIABLE);
        p.put("flavor", "vllm");
        p.put("temperature", 0.2);
        p.put("maxTokens", Map.of("extraction", 256, "classification", 512, "pre-extraction", 128,
                "validation", 64));
        p.put("seed", 42);
        p.put("connectTimeoutSeconds", 2);
        p.put("requestTimeoutSeconds", 30.5);
        p.put("callTimeoutSeconds", Map.of("validation", 20, "extraction", 60));
        p.put("maxConcurrentRequests", 4);
        p.put("maxAttempts", 3);
        p.put("retryBaseDelaySeconds", 0.25);
        p.put("retryMaxDelaySeconds", 4);
        p.put("circuitFailureThreshold", 3);
        p.put("circuitOpenSeconds", 10);
        p.put("maxResponseBytes", 65536);
        p.put("reaskAttempts", 2);
        p.put("extraBody", Map.of("top_k", 1));
        p.put("contextTokens", 32768);
        p.put("substringGrammar", false);
        assertThat(new java.util.TreeSet<>(p.keySet())).as("every parameter but baseUrl, the one-replica form")
                .isEqualTo(new java.util.TreeSet<>(OpenAiCompatibleMemberProvider.PARAMETERS.stream()
                        .filter(k -> !k.equals("baseUrl")).toList()));
        try (ModelMember m = create(p)) {
            OpenAiCompatibleMember o = (OpenAiCompatibleMember) m;
            assertThat(o.name()).isEqualTo("qwen");
            assertThat(o.baseUrls()).containsExactly("http://127.0.0.1:8000", "http://127.0.0.1:8001");
            assertThat(o.flavor()).isEqualTo(Flavor.VLLM);
            assertThat(o.contextTokens()).isEqualTo(32768);
            assertThat(o.substringGrammar()).isFalse();
            assertThat(o.toString()).doesNotContain(Stubs.SECRET).contains("vllm");
        }
        assertThat(ComponentConfig.of("member 'qwen'", p).toString()).doesNotContain(Stubs.KEY_VARIABLE);
    }

    @Test
    void create_noName_defaultsToTheModel() {
        Map<String, Object> p = base();
        p.remove("name");
        try (ModelMember m = create(p)) {
            assertThat(m.name()).isEqualTo("Qwen/Qwen2.5-7B-Instruct");
            assertThat(m.contextTokens()).isEqualTo(8192);
            assertThat(((OpenAiCompatibleMember) m).substringGrammar()).as("default").isTrue();
        }
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "temperature|hot|'temperature'",
        "temperature|-1|'temperature'",
        "flavor|gpt|llama-cpp, ollama, prompt-only",
        "flavor|3|'flavor'",
        "maxTokens|0|'maxTokens'",
        "maxTokens|many|'maxTokens'",
        "baseUrl|localhost:8000|'baseUrl'",
        "baseUrl|ftp://host/v1|'baseUrl'",
        "maxAttempts|0|'maxAttempts'",
        "maxResponseBytes|10|'maxResponseBytes'",
        "requestTimeoutSeconds|0|'requestTimeoutSeconds'",
        "reaskAttempts|-1|'reaskAttempts'",
        "circuitFailureThreshold|-2|'circuitFailureThreshold'",
        "extraBody|x|'extraBody'",
        "substringGrammar|yes|'substringGrammar'",
        "seed|1.5|'seed'"})
    void aWrongValueIsNamed(String key, String value, String expected) {
        Map<String, Object> p = base();
        p.put(key, parse(value));
        assertThatThrownBy(() -> create(p)).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("member 'qwen'").hasMessageContaining(expected);
    }

    private static Object parse(String v) {
        try {
            return v.contains(".") ? (Object) Double.parseDouble(v) : (Object) Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return v;
        }
    }

    @Test
    void create_unknownStage_isNamedWithTheKnownOnes() {
        Map<String, Object> p = base();
        p.put("maxTokens", Map.of("extract", 10));
        assertThatThrownBy(() -> create(p)).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("'extract'").hasMessageContaining("pre-extraction, extraction");
    }

    @Test
    void create_baseUrl_isRequiredOnce() {
        Map<String, Object> p = base();
        p.remove("baseUrl");
        assertThatThrownBy(() -> create(p)).hasMessageContaining("'baseUrl'");
        p.put("baseUrls", "http://127.0.0.1:1");
        assertThatThrownBy(() -> create(p)).hasMessageContaining("'baseUrls' must be a non-empty list");
        p.put("baseUrl", "http://127.0.0.1:1");
        assertThatThrownBy(() -> create(p)).hasMessageContaining("not both");
    }

    @Test
    void create_credentialsInTheUrl_areRefusedWithoutBeingShown() {
        Map<String, Object> p = base();
        p.put("baseUrl", "http://user:hunter2@127.0.0.1:8000/v1");
        assertThatThrownBy(() -> create(p)).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("credentials").hasMessageNotContaining("hunter2");
    }

    @Test
    void create_unsetKeyVariable_throwsConfigurationErrorNamingIt() {
        Map<String, Object> p = base();
        p.put("apiKeyEnv", "NO_SUCH_VARIABLE_XYZ");
        assertThatThrownBy(() -> create(p)).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("NO_SUCH_VARIABLE_XYZ").hasMessageContaining("not set");
    }

    @Test
    void create_keyThatCannotBeAHeader_isRefusedWithoutBeingShown() {
        OpenAiCompatibleMember.Builder b = OpenAiCompatibleMember.builder().model("m").baseUrl("http://127.0.0.1:1")
                .apiKeyEnv("K").environment(Map.of("K", "sk-abc\ndef")::get);
        assertThatThrownBy(b::build).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("cannot carry").hasMessageNotContaining("sk-abc");
    }

    @Test
    void parse_flavorInAnyCommonSpelling_isRead() {
        assertThat(Flavor.parse("llama.cpp".replace(".", ""))).isEqualTo(Flavor.LLAMA_CPP);
        assertThat(Flavor.parse("LLAMA_CPP")).isEqualTo(Flavor.LLAMA_CPP);
        assertThat(Flavor.parse("llama-cpp")).isEqualTo(Flavor.LLAMA_CPP);
        assertThat(Flavor.parse(" Prompt-Only ")).isEqualTo(Flavor.PROMPT_ONLY);
    }
}
