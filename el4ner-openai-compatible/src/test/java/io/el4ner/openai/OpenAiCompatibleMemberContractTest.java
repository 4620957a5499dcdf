package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.tck.ModelMemberContractTest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The el4ner-tck member contract, on real HTTP over loopback: a WireMock server answers the chat endpoint; the
 * failing member's key is rejected with 401 (and the server echoes it back, which must not leak); the slow member's
 * server answers later than the call deadline.
 */
class OpenAiCompatibleMemberContractTest extends ModelMemberContractTest {
    private static WireMockServer server;
    private static OpenAiCompatibleMember shared;

    @BeforeAll
    static void start() {
        server = Stubs.server();
        server.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + Stubs.SECRET))
                .willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        server.stubFor(post(urlEqualTo("/rejecting/v1/chat/completions"))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody(Stubs.fixture("errors/openai-401.json").replace("SECRET-PLACEHOLDER", Stubs.SECRET))));
        server.stubFor(post(urlEqualTo("/slow/v1/chat/completions"))
                .willReturn(Stubs.okCompletion(Stubs.ENTITIES).withFixedDelay(3_000)));
        shared = build("");
    }

    @AfterAll
    static void stop() {
        shared.close();
        server.stop();
    }

    private static OpenAiCompatibleMember build(String prefix) {
        return OpenAiCompatibleMember.builder().name("tck-member").model("m")
                .baseUrl(Stubs.url(server) + prefix + "/v1").flavor(Flavor.OPENAI)
                .apiKeyEnv(Stubs.KEY_VARIABLE).environment(Stubs.env()::get)
                .retryDelays(Duration.ofMillis(5), Duration.ofMillis(20))
                .callTimeout(Duration.ofSeconds(1)).build();
    }

    @Override
    protected ModelMember member() {
        return shared;
    }

    @Override
    protected ModelMember closeableMember() {
        return build("");
    }

    @Override
    protected Optional<ModelMember> failingMember() {
        return Optional.of(build("/rejecting"));
    }

    @Override
    protected Optional<ModelMember> slowMember(Duration atLeast) {
        return Optional.of(build("/slow"));
    }

    @Override
    protected Duration callTimeout() {
        return Duration.ofSeconds(1);
    }

    @Override
    protected Optional<String> secret() {
        return Optional.of(Stubs.SECRET);
    }
}
