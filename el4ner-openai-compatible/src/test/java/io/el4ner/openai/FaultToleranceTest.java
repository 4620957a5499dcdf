package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.sun.net.httpserver.HttpServer;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.Stage;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Retries, no-retries, resets, bad bodies, size caps, deadlines, cancellation and the circuit breaker. */
@Timeout(20)
class FaultToleranceTest extends LoopbackServerTest {
    private static final String CHAT = "/v1/chat/completions";
    /** Answers {@code first} once, then a good completion. */
    private static void onceThenOk(ResponseDefinitionBuilder first) {
        server.stubFor(post(urlEqualTo(CHAT)).inScenario("s").whenScenarioStateIs(STARTED).willReturn(first)
                .willSetStateTo("ok"));
        server.stubFor(post(urlEqualTo(CHAT)).inScenario("s").whenScenarioStateIs("ok")
                .willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
    }

    private static void always(ResponseDefinitionBuilder r) {
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(r));
    }

    private static int requests() {
        return server.countRequestsMatching(postRequestedFor(urlEqualTo(CHAT)).build()).getCount();
    }

    @Test
    void chat_429WithRetryAfter_waitsAsAsked() {
        onceThenOk(aResponse().withStatus(429).withHeader("Retry-After", "1")
                .withBody("{\"error\": {\"message\": \"Rate limit reached\"}}"));
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            long t0 = System.nanoTime();
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        }
        assertThat(requests()).isEqualTo(2);
    }

    @ParameterizedTest(name = "HTTP {0} is retried")
    @CsvSource({"408", "429", "500", "502", "503", "504"})
    void chat_transientStatus_isRetried(int status) {
        onceThenOk(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(Stubs.fixture("errors/llama-cpp-503.json")));
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
        }
        assertThat(requests()).isEqualTo(2);
    }

    @ParameterizedTest(name = "HTTP {0} is not retried: {1}")
    @CsvSource(delimiter = '|', value = {
        "400|HTTP 400 Bad Request|maximum context length",
        "401|the key was rejected|EL4NER_TEST_API_KEY",
        "403|the key was rejected or may not use model 'm'|HTTP 403",
        "404|check baseUrl and the model name 'm'|not found, try pulling it first",
        "422|HTTP 422|Unprocessable"})
    void neverRetriesPermanentStatuses(int status, String expected, String alsoExpected) {
        String body = switch (status) {
            case 400 -> Stubs.fixture("errors/vllm-400.json");
            case 401 -> Stubs.fixture("errors/openai-401.json").replace("SECRET-PLACEHOLDER", Stubs.SECRET);
            case 404 -> Stubs.fixture("errors/ollama-404.json");
            default -> "{\"error\": {\"message\": \"denied " + Stubs.SECRET + "\"}}";
        };
        always(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body));
        try (OpenAiCompatibleMember m = Stubs.member(server).apiKeyEnv(Stubs.KEY_VARIABLE)
                .environment(Stubs.env()::get).build()) {
            Throwable t = catchThrowable(() -> m.chat(Stubs.extraction()));
            assertThat(t).isInstanceOf(NonRetriableBackendException.class).hasMessageContaining(expected)
                    .hasMessageContaining(alsoExpected).hasMessageContaining(Stubs.url(server) + CHAT)
                    .hasMessageNotContaining(Stubs.SECRET);
            assertThat(((ModelMemberException) t).memberName()).isEqualTo("m1");
        }
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void chat_retryBudgetSpent_failsNamingTheUrl() {
        always(aResponse().withStatus(503).withBody("{\"error\": {\"message\": \"Loading model\"}}"));
        try (OpenAiCompatibleMember m = Stubs.member(server).maxAttempts(3).build()) {
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction())))
                    .isInstanceOf(RetriableBackendException.class)
                    .hasMessageContaining("after 3 attempts").hasMessageContaining(Stubs.url(server) + CHAT)
                    .hasMessageContaining("HTTP 503").hasMessageContaining("Loading model");
        }
        assertThat(requests()).isEqualTo(3);
    }

    @Test
    void chat_unreachableServer_failsAfterTheRetryBudgetNamingTheUrl() {
        int port = Stubs.deadPort();
        try (OpenAiCompatibleMember m = OpenAiCompatibleMember.builder().name("gone").model("m")
                .baseUrl("http://127.0.0.1:" + port).flavor(Flavor.OPENAI)
                .retryDelays(Duration.ofMillis(5), Duration.ofMillis(20)).build()) {
            Throwable t = catchThrowable(() -> m.chat(Stubs.extraction()));
            assertThat(t).isInstanceOf(RetriableBackendException.class)
                    .hasMessageContaining("http://127.0.0.1:" + port + "/v1/chat/completions")
                    .hasMessageContaining("after 4 attempts").hasMessageContaining("cannot connect");
            assertThat(((ModelMemberException) t).memberName()).isEqualTo("gone");
        }
    }

    @ParameterizedTest(name = "{0} is retried")
    @EnumSource(Fault.class)
    void chat_connectionFault_isRetried(Fault fault) {
        onceThenOk(aResponse().withFault(fault));
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
        }
        assertThat(requests()).isEqualTo(2);
    }

    @ParameterizedTest(name = "a body {0} is retried")
    @CsvSource(delimiter = '|', value = {
        "truncated mid-JSON|application/json|{\"choices\": [{\"message\": {\"content\": \"{\\\"enti",
        "that is HTML|text/html|<html><body>502 Bad Gateway</body></html>",
        "without choices|application/json|{\"object\": \"chat.completion\"}",
        "that is an error object|application/json|{\"error\": {\"message\": \"model overloaded\"}}",
        "that is empty|application/json|"})
    void malformedBodiesAreRetried(String what, String contentType, String body) {
        onceThenOk(aResponse().withStatus(200).withHeader("Content-Type", contentType).withBody(body == null ? ""
                : body));
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
        }
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void chat_nonJsonBody_failsWithItsContentType() {
        always(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>login</html>"));
        try (OpenAiCompatibleMember m = Stubs.member(server).maxAttempts(2).build()) {
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction()))).isInstanceOf(RetriableBackendException.class)
                    .hasMessageContaining("not JSON").hasMessageContaining("text/html")
                    .hasMessageContaining("<html>login</html>");
        }
    }

    @Test
    void chat_wrongContentTypeWithGoodBody_isAccepted() {
        always(aResponse().withStatus(200).withHeader("Content-Type", "text/plain; charset=utf-8")
                .withBody(Stubs.completion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
        }
    }

    @Test
    void chat_oversizedBody_isCutOffAndNotRetried() {
        String big = Stubs.completion("x".repeat(5_000));
        always(Stubs.ok(big));
        try (OpenAiCompatibleMember m = Stubs.member(server).maxResponseBytes(2_048).build()) {
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction())))
                    .isInstanceOf(NonRetriableBackendException.class).hasMessageContaining("maxResponseBytes=2048");
        }
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void chat_oversizedChunkedBody_isCutOff() {
        always(Stubs.ok(Stubs.completion("y".repeat(20_000))).withChunkedDribbleDelay(4, 100));
        try (OpenAiCompatibleMember m = Stubs.member(server).maxResponseBytes(4_096).build()) {
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction())))
                    .isInstanceOf(NonRetriableBackendException.class).hasMessageContaining("maxResponseBytes=4096");
        }
    }

    @Test
    void chat_slowAnswer_isAbandonedAndRetried() {
        onceThenOk(Stubs.okCompletion(Stubs.ENTITIES).withFixedDelay(3_000));
        try (OpenAiCompatibleMember m = Stubs.member(server).requestTimeout(Duration.ofMillis(300)).build()) {
            long t0 = System.nanoTime();
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2_000));
        }
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void chat_bodyStallingMidway_isAbandonedAndRetried() {
        onceThenOk(Stubs.okCompletion(Stubs.ENTITIES).withChunkedDribbleDelay(3, 3_000));
        try (OpenAiCompatibleMember m = Stubs.member(server).requestTimeout(Duration.ofMillis(400)).build()) {
            long t0 = System.nanoTime();
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2_500));
        }
    }

    /** WireMock cannot announce a Content-Length and then close early; the JDK's server can. */
    @Test
    void chat_bodyShorterThanItsContentLength_isRetried() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger calls = new AtomicInteger();
        http.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] full = Stubs.completion(Stubs.ENTITIES).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (calls.incrementAndGet() == 1) {
                exchange.sendResponseHeaders(200, full.length);
                OutputStream out = exchange.getResponseBody();
                out.write(full, 0, 20);
                out.flush();
                exchange.getHttpContext().getServer(); // keep the reference explicit
                exchange.close(); // ends the exchange with fewer bytes than announced: the connection is dropped
            } else {
                exchange.sendResponseHeaders(200, full.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(full);
                }
            }
        });
        http.start();
        try (OpenAiCompatibleMember m = OpenAiCompatibleMember.builder().name("short").model("m")
                .baseUrl("http://127.0.0.1:" + http.getAddress().getPort() + "/v1").flavor(Flavor.OPENAI)
                .retryDelays(Duration.ofMillis(5), Duration.ofMillis(20)).requestTimeout(Duration.ofSeconds(2))
                .build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
            assertThat(calls.get()).isEqualTo(2);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void chat_retryAfterBeyondTheDeadline_endsTheCallAtOnce() {
        always(aResponse().withStatus(429).withHeader("Retry-After", "60"));
        try (OpenAiCompatibleMember m = Stubs.member(server).callTimeout(Duration.ofSeconds(3)).build()) {
            long t0 = System.nanoTime();
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction()))).isInstanceOf(RetriableBackendException.class)
                    .hasMessageContaining("Retry-After").hasMessageContaining("deadline");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1_500));
        }
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void chat_callDeadlinePassed_throwsMemberTimeout() {
        always(Stubs.okCompletion(Stubs.ENTITIES).withFixedDelay(3_000));
        try (OpenAiCompatibleMember m = Stubs.member(server).callTimeout(Duration.ofMillis(500)).build()) {
            long t0 = System.nanoTime();
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction()))).isInstanceOf(MemberTimeoutException.class)
                    .hasMessageContaining("500 ms").hasMessageContaining("extraction");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1_200));
        }
    }

    @Test
    void chat_stageDeadlines_applyToTheirStage() {
        always(Stubs.okCompletion("{\"verdicts\": []}").withFixedDelay(700));
        try (OpenAiCompatibleMember m = Stubs.member(server).callTimeout(Stage.VALIDATION, Duration.ofMillis(300))
                .reaskAttempts(0).build()) {
            assertThat(catchThrowable(() -> m.chat(Stubs.validation()))).isInstanceOf(MemberTimeoutException.class)
                    .hasMessageContaining("validation");
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo("{\"verdicts\": []}");
        }
    }

    @Test
    void chat_callerInterrupted_abortsTheRequestPromptly() throws Exception {
        always(Stubs.okCompletion(Stubs.ENTITIES).withFixedDelay(5_000));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (OpenAiCompatibleMember m = Stubs.member(server).build()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            CompletableFuture<Void> started = new CompletableFuture<>();
            Future<?> f = pool.submit(() -> {
                started.complete(null);
                try {
                    m.chat(Stubs.extraction());
                } catch (Throwable t) {
                    thrown.set(t);
                }
                flag.set(Thread.currentThread().isInterrupted());
            });
            started.get();
            Thread.sleep(300);
            long t0 = System.nanoTime();
            f.cancel(true); // interrupts the calling thread, as the ensemble does on its deadline
            pool.shutdown();
            assertThat(pool.awaitTermination(2, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1_000));
            assertThat(thrown.get()).isInstanceOf(MemberTimeoutException.class).hasMessageContaining("interrupted");
            assertThat(flag.get()).as("the interrupt flag is kept").isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void chat_manyCallers_requestSlotsBoundConcurrency() throws Exception {
        always(Stubs.okCompletion(Stubs.ENTITIES).withFixedDelay(1_000));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (OpenAiCompatibleMember m = Stubs.member(server).maxConcurrentRequests(1)
                .requestTimeout(Duration.ofSeconds(4)).callTimeout(Duration.ofSeconds(4)).callTimeout(Stage.VALIDATION, Duration.ofMillis(400)).build()) {
            Future<ChatResponse> a = pool.submit(() -> m.chat(Stubs.extraction()));
            Thread.sleep(100);
            Future<ChatResponse> b = pool.submit(() -> m.chat(Stubs.validation()));
            assertThat(catchThrowable(b::get)).hasCauseInstanceOf(MemberTimeoutException.class)
                    .hasMessageContaining("maxConcurrentRequests=1");
            assertThat(a.isDone()).as("the first call still holds the only slot").isFalse();
            assertThat(a.get().text()).isEqualTo(Stubs.ENTITIES);
        } finally {
            pool.shutdownNow();
        }
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void chat_repeatedFailures_openTheCircuitWhichClosesAfterATrial() throws Exception {
        always(aResponse().withStatus(500));
        try (OpenAiCompatibleMember m = Stubs.member(server).maxAttempts(1)
                .circuitBreaker(3, Duration.ofMillis(400)).build()) {
            for (int i = 0; i < 3; i++) {
                assertThat(catchThrowable(() -> m.chat(Stubs.extraction()))).hasMessageContaining("HTTP 500");
            }
            long t0 = System.nanoTime();
            Throwable open = catchThrowable(() -> m.chat(Stubs.extraction()));
            assertThat(open).isInstanceOf(RetriableBackendException.class)
                    .hasMessageContaining("circuit open for member 'm1' until").hasMessageContaining("HTTP 500");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(100));
            assertThat(requests()).as("no request while open").isEqualTo(3);

            Thread.sleep(450);
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction()))).as("the half-open trial fails")
                    .hasMessageContaining("HTTP 500");
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction()))).as("open again")
                    .hasMessageContaining("circuit open");
            assertThat(requests()).isEqualTo(4);

            server.resetAll();
            always(Stubs.okCompletion(Stubs.ENTITIES));
            Thread.sleep(450);
            assertThat(m.chat(Stubs.extraction()).text()).as("the trial succeeds").isEqualTo(Stubs.ENTITIES);
            assertThat(m.chat(Stubs.extraction()).text()).as("closed").isEqualTo(Stubs.ENTITIES);
        }
    }
}
