package io.el4ner.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's plugin example ({@code MyHttpLlm} and {@code MyHttpLlmProvider}) against a local HTTP server: each
 * kind of failure maps to the exception the README's table gives for it, the provider reports bad parameters as
 * configuration problems; {@link ReadmePluginExampleContractTest} passes it through the contract kit.
 */
class ReadmePluginExampleTest {
    static final String ANSWER = PlainTextServer.ANSWER;
    private static PlainTextServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = PlainTextServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    private static ModelMember member(String path, int timeoutSeconds) {
        return member(server, path, timeoutSeconds);
    }

    /** The README's member, made by the README's provider, for the server's {@code path}. */
    static ModelMember member(PlainTextServer server, String path, int timeoutSeconds) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("name", "mine");
        parameters.put("endpoint", server.url(path));
        parameters.put("timeoutSeconds", timeoutSeconds);
        return new MyHttpLlmProvider().create(ComponentConfig.of("member 'mine'", parameters));
    }

    private static ChatRequest request() {
        return new ChatRequest(List.of(ChatMessage.user("Sentence: Angela Merkel visited Paris.")),
                GenerationOptions.greedyJson(64),
                new TaskContext(Stage.EXTRACTION, "Angela Merkel visited Paris.", List.of(), List.of(), List.of(),
                        List.of()));
    }

    @Test
    void chat_okResponse_answersTheResponseBody() {
        assertThat(member("/ok", 5).chat(request()).text()).isEqualTo(ANSWER);
    }

    @Test
    void chat_serverBusyOrRateLimited_throwsRetriable() {
        for (String path : List.of("/busy", "/rate-limited")) {
            RetriableBackendException e = catchThrowableOfType(() -> member(path, 5).chat(request()),
                    RetriableBackendException.class);
            assertThat(e).as(path).isNotNull();
            assertThat(e.isRetriable()).isTrue();
            assertThat(e.memberName()).isEqualTo("mine");
            assertThat(e.getMessage()).contains("HTTP " + (path.equals("/busy") ? 503 : 429));
        }
    }

    @Test
    void chat_refusedConnection_throwsRetriableNotTimeout() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ModelMember m = new MyHttpLlmProvider().create(ComponentConfig.of("member 'mine'", Map.of("name", "mine",
                "endpoint", "http://127.0.0.1:" + closedPort + "/ok")));
        RetriableBackendException e = catchThrowableOfType(() -> m.chat(request()), RetriableBackendException.class);
        assertThat(e).isNotNull().isNotInstanceOf(MemberTimeoutException.class);
        assertThat(e.getCause()).isInstanceOf(IOException.class);
        assertThat(e.getMessage()).isEqualTo("member 'mine' cannot reach http://127.0.0.1:" + closedPort + "/ok");
    }

    @Test
    void chat_deniedOrMissing_throwsNonRetriable() {
        for (String path : List.of("/denied", "/missing")) {
            NonRetriableBackendException e = catchThrowableOfType(() -> member(path, 5).chat(request()),
                    NonRetriableBackendException.class);
            assertThat(e).as(path).isNotNull();
            assertThat(e.isRetriable()).isFalse();
            assertThat(e.getMessage()).contains("check the endpoint, the model and the credentials");
        }
    }

    @Test
    void chat_slowerThanItsTimeout_throwsMemberTimeout() {
        MemberTimeoutException e = catchThrowableOfType(() -> member("/slow?ms=3000", 1).chat(request()),
                MemberTimeoutException.class);
        assertThat(e).isNotNull();
        assertThat(e.isRetriable()).isTrue();
        assertThat(e.getMessage()).isEqualTo("member 'mine' got no answer within 1000 ms");
    }

    @Test
    void create_badParameters_throwsConfigurationProblems() {
        El4nerConfigurationException unknown = catchThrowableOfType(() -> new MyHttpLlmProvider().create(
                ComponentConfig.of("member #1 (my-http-llm)", Map.of("name", "mine", "endpiont", "x",
                        "timeout", 3))), El4nerConfigurationException.class);
        assertThat(unknown.problems()).hasSize(2);
        assertThat(unknown.problems().get(0)).startsWith("member #1 (my-http-llm): unknown parameter 'endpiont'; "
                + "did you mean 'endpoint'?");
        assertThat(unknown.problems().get(1)).startsWith("member #1 (my-http-llm): unknown parameter 'timeout'");

        El4nerConfigurationException zero = catchThrowableOfType(() -> new MyHttpLlmProvider().create(
                ComponentConfig.of("member #1 (my-http-llm)", Map.of("name", "mine", "endpoint", server.url("/ok"),
                        "timeoutSeconds", 0))), El4nerConfigurationException.class);
        assertThat(zero.getMessage()).isEqualTo("member #1 (my-http-llm): timeoutSeconds must be at least 1, got 0");

        El4nerConfigurationException notUri = catchThrowableOfType(() -> new MyHttpLlmProvider().create(
                ComponentConfig.of("member #1 (my-http-llm)", Map.of("name", "mine", "endpoint", "http://a b"))),
                El4nerConfigurationException.class);
        assertThat(notUri.getMessage()).startsWith("member #1 (my-http-llm): endpoint is not a URI: ");
        assertThat(notUri.getCause()).isNotNull();
    }

    @Test
    void chat_anyFailure_throwsModelMemberExceptionNamingTheMember() {
        for (String path : List.of("/busy", "/denied", "/slow?ms=3000")) {
            ModelMemberException e = catchThrowableOfType(() -> member(path, 1).chat(request()),
                    ModelMemberException.class);
            assertThat(e).as(path).isNotNull();
            assertThat(e.memberName()).isEqualTo("mine");
        }
    }
}
