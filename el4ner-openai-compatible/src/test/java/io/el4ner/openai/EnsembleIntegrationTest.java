package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.Entity;
import io.el4ner.api.NerResult;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.ValidationMode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Through el4ner's real pipeline: members created by name through ServiceLoader (as the CLI does), one of them
 * failing; the ensemble goes on with the other and flags its result degraded.
 */
@Timeout(30)
class EnsembleIntegrationTest {
    private static WireMockServer server;

    @BeforeAll
    static void start() {
        server = Stubs.server();
        String chat = "/v1/chat/completions";
        String name = "$.response_format.json_schema.name";
        server.stubFor(post(urlEqualTo(chat)).withRequestBody(matchingJsonPath(name, equalTo("el4ner_extraction")))
                .willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        server.stubFor(post(urlEqualTo(chat)).withRequestBody(matchingJsonPath(name,
                equalTo("el4ner_classification"))).willReturn(Stubs.okCompletion("{\"labels\": [{\"span\": \"Angela "
                + "Merkel\", \"type\": \"PER\"}, {\"span\": \"Paris\", \"type\": \"LOC\"}]}")));
        server.stubFor(post(urlEqualTo(chat)).withRequestBody(matchingJsonPath(name, equalTo("el4ner_validation")))
                .willReturn(Stubs.okCompletion("{\"verdicts\": [{\"span\": \"Angela Merkel\", \"type\": \"PER\", "
                        + "\"valid\": true}, {\"span\": \"Paris\", \"type\": \"LOC\", \"valid\": true}]}")));
        server.stubFor(post(urlEqualTo("/broken/v1/chat/completions")).willReturn(aResponse().withStatus(503)));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void recognize_failingMember_degradesTheResultAndTheOthersCarryOn() {
        try (EnsembleNer ner = EnsembleNer.builder()
                .entityType("PER", "person").entityType("LOC", "location")
                .member("openai-compatible", Map.of("name", "good", "baseUrl", Stubs.url(server) + "/v1",
                        "model", "m", "flavor", "openai"))
                .member("openai-compatible", Map.of("name", "bad", "baseUrl", Stubs.url(server) + "/broken",
                        "model", "m", "flavor", "openai", "maxAttempts", 2, "retryBaseDelaySeconds", 0.01,
                        "circuitFailureThreshold", 2))
                .validation(ValidationMode.SINGLE).verifier("good")
                .timeout(Duration.ofSeconds(10))
                .build()) {
            for (int run = 0; run < 3; run++) {
                NerResult r = ner.recognize(Stubs.SENTENCE);
                assertThat(r.entities()).extracting(Entity::text, Entity::type)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("Angela Merkel", "PER"),
                                org.assertj.core.groups.Tuple.tuple("Paris", "LOC"));
                assertThat(r.degraded()).isTrue();
                assertThat(r.diagnostics()).filteredOn(d -> d.kind() == Diagnostic.Kind.MEMBER_FAILURE)
                        .allSatisfy(d -> assertThat(d.member()).isEqualTo("bad")).isNotEmpty();
                if (run > 0) {
                    assertThat(r.diagnostics()).filteredOn(d -> d.kind() == Diagnostic.Kind.MEMBER_FAILURE)
                            .anySatisfy(d -> assertThat(d.message()).contains("circuit open for member 'bad'"));
                }
            }
        }
    }
}
