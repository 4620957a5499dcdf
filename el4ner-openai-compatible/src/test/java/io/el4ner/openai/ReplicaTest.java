package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.RetriableBackendException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several base URLs serve one model: least outstanding requests first, failover, per-replica circuits. */
@Timeout(20)
class ReplicaTest {
    private static final String CHAT = "/v1/chat/completions";
    private static WireMockServer a;
    private static WireMockServer b;

    @BeforeAll
    static void start() {
        a = Stubs.server();
        b = Stubs.server();
    }

    @AfterAll
    static void stop() {
        a.stop();
        b.stop();
    }

    @BeforeEach
    void reset() {
        a.resetAll();
        b.resetAll();
    }

    private static int requests(WireMockServer s) {
        return s.countRequestsMatching(postRequestedFor(urlEqualTo(CHAT)).build()).getCount();
    }

    @Test
    void chat_replicas_eachAttemptGoesToTheOneWithFewestRequestsInFlight() throws Exception {
        a.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES).withFixedDelay(1_500)));
        b.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = OpenAiCompatibleMember.builder().name("r").model("m").flavor(Flavor.OPENAI)
                .baseUrls(List.of(Stubs.url(a) + "/v1", Stubs.url(b))).build()) {
            // The first call finds both idle and takes the first replica, which is slow.
            CompletableFuture<ChatResponse> slow = CompletableFuture.supplyAsync(() -> m.chat(Stubs.extraction()));
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (requests(a) == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(requests(a)).isEqualTo(1);
            // While it is in flight, every call goes to the idle replica.
            for (int i = 0; i < 5; i++) {
                assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
            }
            assertThat(requests(b)).isEqualTo(5);
            assertThat(requests(a)).isEqualTo(1);
            assertThat(slow.get().text()).isEqualTo(Stubs.ENTITIES);
        }
    }

    @Test
    void chat_deadReplica_isSkippedAndItsCircuitOpens() {
        b.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        String dead = "http://127.0.0.1:" + Stubs.deadPort();
        try (OpenAiCompatibleMember m = OpenAiCompatibleMember.builder().name("r").model("m").flavor(Flavor.OPENAI)
                .baseUrls(List.of(dead, Stubs.url(b))).maxAttempts(2).circuitBreaker(2, Duration.ofSeconds(30))
                .retryDelays(Duration.ofMillis(1), Duration.ofMillis(5)).build()) {
            for (int i = 0; i < 10; i++) {
                assertThat(m.chat(Stubs.extraction()).text()).as("call %d", i).isEqualTo(Stubs.ENTITIES);
            }
        }
        assertThat(requests(b)).isEqualTo(10);
    }

    @Test
    void chat_everyReplicaOpen_failsAtOnce() {
        a.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(503)));
        b.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(502)));
        try (OpenAiCompatibleMember m = OpenAiCompatibleMember.builder().name("r").model("m").flavor(Flavor.OPENAI)
                .baseUrls(List.of(Stubs.url(a), Stubs.url(b))).maxAttempts(2).circuitBreaker(1, Duration.ofSeconds(30))
                .retryDelays(Duration.ofMillis(1), Duration.ofMillis(5)).build()) {
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction()))).isInstanceOf(RetriableBackendException.class);
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction()))).isInstanceOf(RetriableBackendException.class)
                    .hasMessageContaining("circuit open for member 'r'").hasMessageContaining("every replica");
        }
        assertThat(requests(a) + requests(b)).isEqualTo(2);
    }
}
