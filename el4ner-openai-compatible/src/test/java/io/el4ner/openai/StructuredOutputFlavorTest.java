package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatResponse;
import io.el4ner.api.Stage;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.TypedSpan;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each flavor sends the request shape recorded under {@code fixtures/requests} (exact JSON) and reads the answer
 * shape recorded under {@code fixtures/responses}; AUTO finds the flavor from what the server reveals.
 */
class StructuredOutputFlavorTest extends LoopbackServerTest {
    private static OpenAiCompatibleMember member(Flavor flavor) {
        return Stubs.member(server).flavor(flavor).seed(7).build();
    }

    @ParameterizedTest(name = "{0} sends {1} and reads {2}")
    @CsvSource({
        "OPENAI, openai-extraction.json, openai-chat-completion.json, /v1/chat/completions, gpt-4o-mini-2024-07-18",
        "VLLM, vllm-extraction.json, vllm-chat-completion.json, /v1/chat/completions, Qwen/Qwen2.5-7B-Instruct",
        "LLAMA_CPP, llama-cpp-extraction.json, llama-cpp-chat-completion.json, /v1/chat/completions, "
                + "qwen2.5-7b-instruct-q4_k_m.gguf",
        "OLLAMA, ollama-extraction.json, ollama-chat.json, /api/chat, qwen2.5:7b",
        "PROMPT_ONLY, prompt-only-extraction.json, openai-chat-completion.json, /v1/chat/completions, "
                + "gpt-4o-mini-2024-07-18"
    })
    void eachFlavorSendsItsDocumentedShape(Flavor flavor, String request, String response, String path,
                                           String model) {
        server.stubFor(post(urlEqualTo(path)).withRequestBody(equalToJson(Stubs.fixture("requests/" + request)))
                .willReturn(Stubs.ok(Stubs.fixture("responses/" + response))));
        try (OpenAiCompatibleMember m = member(flavor)) {
            ChatResponse r = m.chat(Stubs.extraction());
            assertThat(r.text()).isEqualTo(Stubs.ENTITIES);
            assertThat(r.usage()).isEqualTo(TokenUsage.of(52, 12));
            assertThat(r.model()).isEqualTo(model);
        }
    }

    @Test
    void chat_classification_constrainsSpansAndLabels() {
        server.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(equalToJson(Stubs.fixture("requests/classification-openai.json")))
                .willReturn(Stubs.okCompletion("{\"labels\": [{\"span\": \"Angela Merkel\", \"type\": \"PER\"}]}")));
        try (OpenAiCompatibleMember m = member(Flavor.OPENAI)) {
            assertThat(m.chat(Stubs.classification()).text()).contains("PER");
        }
    }

    @Test
    void chat_vllmValidatingOneEntity_sendsAChoiceOfTrueOrFalse() {
        server.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(equalToJson(Stubs.fixture("requests/vllm-validation-choice.json")))
                .willReturn(Stubs.okCompletion("true")));
        try (OpenAiCompatibleMember m = member(Flavor.VLLM)) {
            assertThat(m.chat(Stubs.validation(new TypedSpan("Paris", "LOC"))).text()).isEqualTo("true");
        }
        server.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }

    @Test
    void chat_vllmValidatingSeveralEntities_sendsTheVerdictSchema() {
        server.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.structured_outputs.json.properties.verdicts.items.properties"
                        + ".span.enum[1]", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Angela Merkel")))
                .willReturn(Stubs.okCompletion("{\"verdicts\": []}")));
        try (OpenAiCompatibleMember m = member(Flavor.VLLM)) {
            assertThat(m.chat(Stubs.validation(new TypedSpan("Paris", "LOC"), new TypedSpan("Angela Merkel",
                    "PER"))).text()).isEqualTo("{\"verdicts\": []}");
        }
    }

    @Test
    void chat_settings_reachTheBody() {
        server.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.max_tokens", com.github.tomakehurst.wiremock.client.WireMock
                        .equalTo("64")))
                .withRequestBody(matchingJsonPath("$.temperature", com.github.tomakehurst.wiremock.client.WireMock
                        .equalTo("0.3")))
                .withRequestBody(matchingJsonPath("$.top_k", com.github.tomakehurst.wiremock.client.WireMock
                        .equalTo("1")))
                .withRequestBody(matchingJsonPath("$.chat_template_kwargs.enable_thinking",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo("false")))
                .withRequestBody(matchingJsonPath("$.response_format.type", com.github.tomakehurst.wiremock.client
                        .WireMock.equalTo("json_schema")))
                .willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = Stubs.member(server).temperature(0.3).maxTokens(512)
                .maxTokens(Stage.EXTRACTION, 64)
                .extraBody(Map.of("top_k", 1, "chat_template_kwargs", Map.of("enable_thinking", false))).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
        }
    }

    @Test
    void chat_ollamaExtraOptions_mergeIntoItsOptions() {
        server.stubFor(post(urlEqualTo("/api/chat"))
                .withRequestBody(matchingJsonPath("$.options.num_ctx", com.github.tomakehurst.wiremock.client
                        .WireMock.equalTo("8192")))
                .withRequestBody(matchingJsonPath("$.options.num_predict", com.github.tomakehurst.wiremock.client
                        .WireMock.equalTo("256")))
                .willReturn(Stubs.ok(Stubs.fixture("responses/ollama-chat.json"))));
        try (OpenAiCompatibleMember m = Stubs.member(server).flavor(Flavor.OLLAMA)
                .extraBody(Map.of("options", Map.of("num_ctx", 8192))).build()) {
            assertThat(m.chat(Stubs.extraction()).usage()).isEqualTo(TokenUsage.of(52, 12));
        }
    }

    @ParameterizedTest(name = "{0} gives {1}")
    @CsvSource({
        "vllm-models.json, VLLM, /v1/chat/completions",
        "llama-cpp-models.json, LLAMA_CPP, /v1/chat/completions",
        "openai-models.json, OPENAI, /v1/chat/completions",
        "ollama-models.json, OLLAMA, /api/chat"
    })
    void autoDetectsTheServerFromWhatItReveals(String models, Flavor expected, String chatPath) {
        server.stubFor(get(urlEqualTo("/v1/models")).willReturn(Stubs.ok(Stubs.fixture("discovery/" + models))));
        server.stubFor(get(urlEqualTo("/api/version")).willReturn(expected == Flavor.OLLAMA
                ? Stubs.ok(Stubs.fixture("discovery/ollama-version.json")) : aResponse().withStatus(404)));
        server.stubFor(post(urlEqualTo(chatPath)).willReturn(Stubs.ok(Stubs.fixture(expected == Flavor.OLLAMA
                ? "responses/ollama-chat.json" : "responses/openai-chat-completion.json"))));
        try (OpenAiCompatibleMember m = member(Flavor.AUTO)) {
            assertThat(m.effectiveFlavor()).isEmpty();
            m.chat(Stubs.extraction());
            m.chat(Stubs.extraction());
            assertThat(m.effectiveFlavor()).contains(expected);
            assertThat(m.toString()).contains("auto (" + expected.configName() + ")");
        }
        server.verify(1, getRequestedFor(urlEqualTo("/v1/models")));
        server.verify(2, postRequestedFor(urlEqualTo(chatPath)));
    }

    @Test
    void chat_unknownServer_getsPromptOnlyJson() {
        server.stubFor(get(urlEqualTo("/v1/models")).willReturn(aResponse().withStatus(404)));
        server.stubFor(get(urlEqualTo("/api/version")).willReturn(aResponse().withStatus(404)));
        server.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(equalToJson(Stubs.fixture("requests/prompt-only-extraction.json")))
                .willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = member(Flavor.AUTO)) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
            assertThat(m.effectiveFlavor()).contains(Flavor.PROMPT_ONLY);
        }
    }

    @Test
    void chat_slowModelList_isNotTakenForAnUnknownServer() {
        server.stubFor(get(urlEqualTo("/v1/models")).willReturn(Stubs.ok(Stubs.fixture("discovery/vllm-models.json"))
                .withFixedDelay(2_000)));
        server.stubFor(get(urlEqualTo("/api/version")).willReturn(aResponse().withStatus(404)));
        server.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = Stubs.member(server).flavor(Flavor.AUTO)
                .callTimeout(java.time.Duration.ofMillis(1_600)).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
            assertThat(m.effectiveFlavor()).as("detection runs again on the next call").isEmpty();
        }
    }

    @Test
    void chat_serverWasUnreachable_detectsAgain() {
        OpenAiCompatibleMember m = OpenAiCompatibleMember.builder().model("m")
                .baseUrl("http://127.0.0.1:" + Stubs.deadPort()).maxAttempts(1).build();
        try (m) {
            org.assertj.core.api.Assertions.catchThrowable(() -> m.chat(Stubs.extraction()));
            assertThat(m.effectiveFlavor()).isEmpty();
        }
    }
}
