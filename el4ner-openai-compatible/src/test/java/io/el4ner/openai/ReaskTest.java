package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatResponse;
import io.el4ner.api.TokenUsage;
import org.junit.jupiter.api.Test;

/** A structured answer that does not parse as the stage's JSON is re-asked, a bounded number of times. */
class ReaskTest extends LoopbackServerTest {
    private static final String CHAT = "/v1/chat/completions";
    private static final String BAD = "Sure! The entities are Angela Merkel and Paris.";
    private static void badThen(String second) {
        server.stubFor(post(urlEqualTo(CHAT)).inScenario("r").whenScenarioStateIs(STARTED)
                .willReturn(Stubs.okCompletion(BAD)).willSetStateTo("second"));
        server.stubFor(post(urlEqualTo(CHAT)).inScenario("r").whenScenarioStateIs("second")
                .withRequestBody(matchingJsonPath("$.messages[2].role", equalTo("assistant")))
                .withRequestBody(matchingJsonPath("$.messages[2].content", equalTo(BAD)))
                .withRequestBody(matchingJsonPath("$.messages[3].role", equalTo("user")))
                .withRequestBody(matchingJsonPath("$.messages[3].content",
                        com.github.tomakehurst.wiremock.client.WireMock.containing("{\"entities\": [")))
                .willReturn(Stubs.okCompletion(second)));
    }

    private static int requests() {
        return server.countRequestsMatching(postRequestedFor(urlEqualTo(CHAT)).build()).getCount();
    }

    @Test
    void chat_unreadableAnswer_reasksOnceWithTheBadAnswerAndACorrection() {
        badThen(Stubs.ENTITIES);
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            ChatResponse r = m.chat(Stubs.extraction());
            assertThat(r.text()).isEqualTo(Stubs.ENTITIES);
            assertThat(r.usage()).as("both calls counted").isEqualTo(TokenUsage.of(104, 24));
        }
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void chat_reaskFailsToo_returnsTheText() {
        badThen("still not JSON");
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo("still not JSON");
        }
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void chat_fencedAnswer_isAccepted() {
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion("```json\n" + Stubs.ENTITIES + "\n```")));
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            m.chat(Stubs.extraction());
        }
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void chat_reaskAttemptsZero_doesNotReask() {
        badThen(Stubs.ENTITIES);
        try (OpenAiCompatibleMember m = Stubs.member(server).reaskAttempts(0).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(BAD);
        }
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void chat_promptOnly_leavesAnswersToTheLenientParser() {
        badThen(Stubs.ENTITIES);
        try (OpenAiCompatibleMember m = Stubs.member(server).flavor(Flavor.PROMPT_ONLY).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(BAD);
        }
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void chat_reaskWithoutUsage_makesTheUsageUnreported() {
        server.stubFor(post(urlEqualTo(CHAT)).inScenario("u").whenScenarioStateIs(STARTED)
                .willReturn(Stubs.okCompletion(BAD)).willSetStateTo("second"));
        server.stubFor(post(urlEqualTo(CHAT)).inScenario("u").whenScenarioStateIs("second")
                .willReturn(Stubs.ok(Stubs.completion(Stubs.ENTITIES, "m", false))));
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            assertThat(m.chat(Stubs.extraction()).usage()).isEqualTo(TokenUsage.UNREPORTED);
        }
    }
}
