package io.el4ner.openai.internal;

import static io.el4ner.openai.internal.FakeResponses.completion;
import static io.el4ner.openai.internal.FakeResponses.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.openai.Flavor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The retrying exchange's decisions (retry, give up, skip an open replica), with a scripted sender and no server. */
class RetryingExchangeTest {
    private static final byte[] BODY = "{}".getBytes();

    /** What the sender does on each attempt: answers, or throws. */
    private interface Step {
        HttpResponse<byte[]> run() throws IOException, TimeoutException;
    }

    private final Deque<Step> script = new ArrayDeque<>();
    private final List<URI> sentTo = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private static Call call(Duration budget) {
        return Call.startNow(new ChatRequest(List.of(ChatMessage.user("hi")), GenerationOptions.greedyJson(8),
                new TaskContext(Stage.EXTRACTION, "s", List.of(), List.of(), List.of(), List.of())), budget);
    }

    private static List<Endpoint> endpoints(int threshold, String... urls) {
        List<Endpoint> out = new ArrayList<>();
        for (String u : urls) {
            out.add(new Endpoint(BaseUrl.parse(u), new CircuitBreaker(threshold, Duration.ofSeconds(30))));
        }
        return out;
    }

    private RetryingExchange exchange(List<Endpoint> endpoints, int maxAttempts, Duration backoff) {
        return new RetryingExchange("m", new Balancer(endpoints), (uri, body, nanos) -> {
            sentTo.add(uri);
            Step s = script.poll();
            if (s == null) {
                throw new AssertionError("more attempts than scripted");
            }
            return s.run();
        }, Duration.ofSeconds(5), maxAttempts, new Backoff(backoff, backoff),
                new FailureMessages("m", "model", null, false, 2048), closed::get);
    }

    private RetryingExchange exchange(int maxAttempts) {
        return exchange(endpoints(5, "http://127.0.0.1:9"), maxAttempts, Duration.ZERO);
    }

    @Test
    void exchange_transientFailuresThenAnswer_returnsTheAnswer() {
        script.add(() -> response(503, ""));
        script.add(() -> {
            throw new IOException("reset", new ConnectException("refused"));
        });
        script.add(() -> completion("ok"));
        Answer a = exchange(4).exchange(call(Duration.ofSeconds(10)), Flavor.OPENAI, BODY);
        assertThat(a.text()).isEqualTo("ok");
        assertThat(sentTo).hasSize(3).allMatch(u -> u.toString().endsWith("/v1/chat/completions"));
    }

    @Test
    void exchange_clientError_isNotRetriedAndKeepsTheCircuitClosed() {
        List<Endpoint> eps = endpoints(1, "http://127.0.0.1:9");
        script.add(() -> response(400, "{\"error\": \"bad request\"}"));
        assertThatThrownBy(() -> exchange(eps, 4, Duration.ZERO).exchange(call(Duration.ofSeconds(10)),
                Flavor.OPENAI, BODY)).isInstanceOf(NonRetriableBackendException.class)
                .hasMessageContaining("HTTP 400 Bad Request").hasMessageContaining("bad request");
        assertThat(sentTo).hasSize(1);
        assertThat(eps.get(0).breaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void exchange_everyAttemptFails_givesUpAfterMaxAttemptsNamingTheUrl() {
        for (int i = 0; i < 3; i++) {
            script.add(() -> response(500, ""));
        }
        assertThatThrownBy(() -> exchange(3).exchange(call(Duration.ofSeconds(10)), Flavor.OPENAI, BODY))
                .isInstanceOf(RetriableBackendException.class)
                .hasMessageContaining("got no answer after 3 attempts (maxAttempts=3) to "
                        + "http://127.0.0.1:9/v1/chat/completions; last failure: HTTP 500");
        assertThat(script).isEmpty();
    }

    @Test
    void exchange_malformedAnswer_isRetried() {
        script.add(() -> response(200, "<html>", "content-type", "text/html"));
        script.add(() -> completion("ok"));
        assertThat(exchange(2).exchange(call(Duration.ofSeconds(10)), Flavor.OPENAI, BODY).text()).isEqualTo("ok");
    }

    @Test
    void exchange_oversizedAnswer_isNotRetried() {
        script.add(() -> {
            throw new ResponseTooLargeException(2048, 4096);
        });
        assertThatThrownBy(() -> exchange(4).exchange(call(Duration.ofSeconds(10)), Flavor.OPENAI, BODY))
                .isInstanceOf(NonRetriableBackendException.class).hasMessageContaining("maxResponseBytes=2048");
        assertThat(sentTo).hasSize(1);
    }

    @Test
    void exchange_retryAfterPastTheDeadline_givesUpAtOnce() {
        script.add(() -> response(429, "", "retry-after", "60"));
        assertThatThrownBy(() -> exchange(4).exchange(call(Duration.ofSeconds(2)), Flavor.OPENAI, BODY))
                .isInstanceOf(RetriableBackendException.class)
                .hasMessageContaining("the server asked to retry after 60000 ms (Retry-After), past the call's "
                        + "deadline");
        assertThat(sentTo).hasSize(1);
    }

    @Test
    void exchange_timeoutAtTheDeadline_throwsMemberTimeout() {
        script.add(() -> {
            throw new TimeoutException();
        });
        assertThatThrownBy(() -> exchange(4).exchange(call(Duration.ofMillis(300)), Flavor.OPENAI, BODY))
                .isInstanceOf(MemberTimeoutException.class).hasMessageContaining("did not answer within 300 ms");
        assertThat(sentTo).hasSize(1);
    }

    @Test
    void exchange_failingReplica_retryGoesToTheOther() {
        script.add(() -> response(503, ""));
        script.add(() -> completion("ok"));
        exchange(endpoints(5, "http://127.0.0.1:9", "http://127.0.0.1:10"), 2, Duration.ZERO)
                .exchange(call(Duration.ofSeconds(10)), Flavor.OPENAI, BODY);
        assertThat(sentTo.get(1).getPort()).isNotEqualTo(sentTo.get(0).getPort());
    }

    @Test
    void exchange_circuitOpened_failsAtOnceWithoutSending() {
        List<Endpoint> eps = endpoints(2, "http://127.0.0.1:9");
        script.add(() -> response(502, ""));
        script.add(() -> response(502, ""));
        RetryingExchange x = exchange(eps, 2, Duration.ZERO);
        assertThatThrownBy(() -> x.exchange(call(Duration.ofSeconds(10)), Flavor.OPENAI, BODY))
                .isInstanceOf(RetriableBackendException.class);
        assertThat(eps.get(0).breaker().state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(() -> x.exchange(call(Duration.ofSeconds(10)), Flavor.OPENAI, BODY))
                .isInstanceOf(RetriableBackendException.class)
                .hasMessageStartingWith("circuit open for member 'm' until ")
                .hasMessageContaining("its server failed repeatedly; last: HTTP 502");
        assertThat(sentTo).hasSize(2);
    }

    @Test
    void exchange_ollama_postsToItsNativeEndpoint() {
        script.add(() -> response(200, "{\"model\": \"m\", \"message\": {\"content\": \"ok\"}}"));
        assertThat(exchange(1).exchange(call(Duration.ofSeconds(10)), Flavor.OLLAMA, BODY).text()).isEqualTo("ok");
        assertThat(sentTo.get(0).getPath()).isEqualTo("/api/chat");
    }

    @Test
    void exchange_memberClosed_sendsNothing() {
        closed.set(true);
        assertThatThrownBy(() -> exchange(4).exchange(call(Duration.ofSeconds(10)), Flavor.OPENAI, BODY))
                .isInstanceOf(NonRetriableBackendException.class).hasMessageContaining("was closed during the call");
        assertThat(sentTo).isEmpty();
    }

    @Test
    void exchange_interrupted_throwsMemberTimeoutAndKeepsTheFlag() {
        RetryingExchange x = new RetryingExchange("m", new Balancer(endpoints(5, "http://127.0.0.1:9")),
                (uri, body, nanos) -> {
                    throw new InterruptedException();
                }, Duration.ofSeconds(5), 4, new Backoff(Duration.ZERO, Duration.ZERO),
                new FailureMessages("m", "model", null, false, 2048), closed::get);
        try {
            assertThatThrownBy(() -> x.exchange(call(Duration.ofSeconds(10)), Flavor.OPENAI, BODY))
                    .isInstanceOf(MemberTimeoutException.class).hasMessageContaining("was cancelled during a request");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
