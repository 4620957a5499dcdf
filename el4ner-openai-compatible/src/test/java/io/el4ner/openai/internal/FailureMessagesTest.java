package io.el4ner.openai.internal;

import static io.el4ner.openai.internal.FakeResponses.headers;
import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What each failure means for the exchange (retry or not) and what users read, without a server. */
class FailureMessagesTest {
    private static final URI URI_ = URI.create("http://127.0.0.1:8000/v1/chat/completions");
    private final FailureMessages withoutKey = new FailureMessages("qwen", "Qwen/Qwen2.5-7B", null, false, 2048);
    private final FailureMessages keyFromEnv = new FailureMessages("qwen", "Qwen/Qwen2.5-7B", "MY_KEY", true, 2048);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504})
    void http_transientStatus_isRetriable(int status) {
        Failure f = withoutKey.http(URI_, status, headers(), bytes(""));
        assertThat(f.retriable()).isTrue();
        assertThat(f.summary()).startsWith("HTTP " + status + " ").contains("from " + URI_);
        assertThat(f.retryAfterNanos()).isNull();
    }

    @Test
    void http_retryAfter_isReadAndShown() {
        Failure f = withoutKey.http(URI_, 429, headers("retry-after", "2"), bytes(""));
        assertThat(f.retryAfterNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(f.summary()).isEqualTo("HTTP 429 Too Many Requests from " + URI_ + " (Retry-After 2000 ms)");
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 413, 422})
    void http_clientError_isNotRetriable(int status) {
        assertThat(withoutKey.http(URI_, status, headers(), bytes("")).retriable()).isFalse();
    }

    @Test
    void http_401_advisesOnTheKey() {
        assertThat(withoutKey.http(URI_, 401, headers(), bytes("")).summary())
                .contains("no key was sent: set apiKeyEnv");
        assertThat(keyFromEnv.http(URI_, 401, headers(), bytes("")).summary())
                .contains("the key was rejected (it comes from the environment variable MY_KEY)");
        assertThat(new FailureMessages("q", "m", null, true, 2048).http(URI_, 401, headers(), bytes("")).summary())
                .isEqualTo("HTTP 401 Unauthorized from " + URI_ + ": the key was rejected");
    }

    @Test
    void http_404_namesTheModelAndTheServersMessage() {
        String s = withoutKey.http(URI_, 404, headers(), bytes("{\"error\": {\"message\": \"no such model\"}}"))
                .summary();
        assertThat(s).contains("check baseUrl and the model name 'Qwen/Qwen2.5-7B'").endsWith(": no such model");
    }

    @Test
    void http_redirect_namesTheLocationWithoutCredentials() {
        String s = withoutKey.http(URI_, 302, headers("location", "https://bob:pw-123456789@h/v1"), bytes(""))
                .summary();
        assertThat(s).contains("the server redirects to https://").contains("give that address as baseUrl")
                .doesNotContain("pw-123456789");
    }

    @Test
    void io_connectionRefused_saysSoAndIsRetriable() {
        Failure f = withoutKey.io(URI_, new IOException("x", new ConnectException("refused")));
        assertThat(f.retriable()).isTrue();
        assertThat(f.summary()).isEqualTo("cannot connect to " + URI_ + ": connection refused or unreachable");
        assertThat(withoutKey.io(URI_, new HttpConnectTimeoutException("t")).summary())
                .isEqualTo("cannot connect to " + URI_ + ": the connection timed out");
        assertThat(withoutKey.io(URI_, new IOException("reset")).summary())
                .isEqualTo("the connection to " + URI_ + " failed: reset");
    }

    @Test
    void tooLarge_isNotRetriableAndNamesTheLimit() {
        Failure f = withoutKey.tooLarge(URI_);
        assertThat(f.retriable()).isFalse();
        assertThat(f.summary()).contains("maxResponseBytes=2048");
    }

    @Test
    void timeout_atTheDeadline_isBoundByIt() {
        assertThat(withoutKey.timeout(URI_, 1_500_000_000L, true).boundByDeadline()).isTrue();
        assertThat(withoutKey.timeout(URI_, 1_500_000_000L, false).summary())
                .isEqualTo("no complete answer from " + URI_ + " within 1500 ms");
    }

    @Test
    void exceptions_haveTheTypeThatTellsTheEnsembleWhatToDo() {
        Call call = Call.startNow(new ChatRequest(List.of(ChatMessage.user("hi")), GenerationOptions.greedyJson(8),
                new TaskContext(Stage.VALIDATION, "s", List.of(), List.of(), List.of(), List.of())),
                Duration.ofMillis(750));
        Failure last = withoutKey.http(URI_, 503, headers(), bytes(""));
        assertThat(withoutKey.rejected(withoutKey.http(URI_, 400, headers(), bytes(""))))
                .isInstanceOf(NonRetriableBackendException.class).hasMessageStartingWith("member 'qwen': HTTP 400");
        assertThat(withoutKey.exhausted(2, 2, List.of(URI_.toString()), last))
                .isInstanceOf(RetriableBackendException.class)
                .hasMessageContaining("got no answer after 2 attempts (maxAttempts=2) to " + URI_);
        assertThat(withoutKey.timedOut(call, 1, last)).isInstanceOf(MemberTimeoutException.class)
                .hasMessageContaining("did not answer within 750 ms (its deadline for the validation stage) after "
                        + "1 attempt; last: HTTP 503");
        assertThat(withoutKey.cancelled(call, "while waiting")).isInstanceOf(MemberTimeoutException.class)
                .hasMessageContaining("was cancelled while waiting after");
        assertThat(withoutKey.closed(null)).isInstanceOf(NonRetriableBackendException.class)
                .hasMessage("member 'qwen' is closed");
    }
}
