package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatResponse;
import io.el4ner.api.TokenUsage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Base URLs with or without /v1, missing usage, another model's name, null content, the auth header. */
class ServerQuirksTest extends LoopbackServerTest {
    @ParameterizedTest(name = "base URL ''{0}''")
    @ValueSource(strings = {"", "/", "/v1", "/v1/"})
    void chat_baseUrlWithOrWithoutV1_works(String suffix) {
        server.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = OpenAiCompatibleMember.builder().model("m").flavor(Flavor.OPENAI)
                .baseUrl(Stubs.url(server) + suffix).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
            assertThat(m.baseUrls()).containsExactly(Stubs.url(server));
        }
    }

    @Test
    void chat_baseUrlWithPathPrefix_keepsIt() {
        server.stubFor(post(urlEqualTo("/qwen/v1/chat/completions")).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = OpenAiCompatibleMember.builder().model("m").flavor(Flavor.OPENAI)
                .baseUrl(Stubs.url(server) + "/qwen/v1").build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
        }
    }

    @Test
    void chat_anotherModelsNameAndNoUsage_areReportedWithOneWarning() {
        server.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(Stubs.ok(Stubs.completion(Stubs.ENTITIES, "llama-3-8b", false))));
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (OpenAiCompatibleMember m = Stubs.member(server).model("qwen").build()) {
            for (int i = 0; i < 3; i++) {
                ChatResponse r = m.chat(Stubs.extraction());
                assertThat(r.model()).isEqualTo("llama-3-8b");
                assertThat(r.usage()).isEqualTo(TokenUsage.UNREPORTED);
            }
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log.split("answered as model 'llama-3-8b', not the configured 'qwen'", -1)).hasSize(2);
    }

    @Test
    void chat_noModelNameAndNullContent_giveEmptyStrings() {
        server.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(Stubs.ok(
                "{\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": null}, "
                        + "\"finish_reason\": \"length\"}], \"usage\": {\"prompt_tokens\": 5, \"completion_tokens\": 0}}")));
        try (OpenAiCompatibleMember m = Stubs.member(server).reaskAttempts(0).build()) {
            ChatResponse r = m.chat(Stubs.extraction());
            assertThat(r.text()).isEmpty();
            assertThat(r.model()).isEmpty();
            assertThat(r.usage()).isEqualTo(TokenUsage.of(5, 0));
        }
    }

    @Test
    void chat_apiKey_isSentAsBearerTokenAndNothingWithoutOne() {
        server.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = Stubs.member(server).apiKeyEnv(Stubs.KEY_VARIABLE)
                .environment(Stubs.env()::get).build()) {
            m.chat(Stubs.extraction());
            assertThat(m.toString()).contains("apiKey=from $" + Stubs.KEY_VARIABLE).doesNotContain(Stubs.SECRET);
        }
        server.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + Stubs.SECRET)));
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            m.chat(Stubs.extraction());
        }
        server.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")).withHeader("Authorization", absent()));
    }
}
