package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.NerResult;
import io.el4ner.api.Redaction;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.ValidationMode;
import io.el4ner.openai.internal.OpenAiCompatibleMemberProvider;
import io.el4ner.openai.internal.ResponseReader;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10, defects 4 to 7: secrets a member sends (its API key, secret-named {@code extraBody} values) never
 * reach a log line (WARN or DEBUG), an exception message, a diagnostic or {@code toString()}, even when a server
 * echoes them back, and no prefix of one shows where an excerpt is cut; credentials in a rejected base URL are not
 * shown.
 */
@Timeout(30)
class SecretLeakTest extends LoopbackServerTest {
    private static final String CHAT = "/v1/chat/completions";
    private static final String BODY_KEY = "sk-extra-body-9f8e7d6c5b4a3210";
    private static final String NESTED_TOKEN = "tok-nested-0123456789abcdefXYZ";
    private static final String MEMBER_LOG = OpenAiCompatibleMember.class.getName();
    private static final String INVOKER_LOG = "io.el4ner.core.internal.exec.MemberInvoker";

    /** Fails if any secret, or any 4-character (or longer) prefix of one, is in the text. */
    static void assertNoLeak(String what, String text, String... secrets) {
        for (String s : secrets) {
            assertThat(text).as(what).doesNotContain(s.substring(0, 4));
        }
    }

    private static String echoingBody() {
        String request = "{\"model\": \"m\", \"api_key\": \"" + BODY_KEY + "\", \"chat_template_kwargs\": {\"auth\": "
                + "{\"token\": \"" + NESTED_TOKEN + "\"}}}";
        return "{\"error\": {\"message\": \"could not process " + request.replace("\"", "\\\"") + "\", \"param\": "
                + "\"api_key=" + BODY_KEY + "\"}}";
    }

    private static OpenAiCompatibleMember.Builder memberWithExtraBodySecrets() {
        return Stubs.member(server).extraBody(Map.of("api_key", BODY_KEY, "chat_template_kwargs",
                Map.of("auth", Map.of("token", NESTED_TOKEN)), "top_k", 1));
    }

    @ParameterizedTest(name = "HTTP {0} quoting the request's fields")
    @ValueSource(ints = {500, 429, 400})
    void chat_extraBodySecretsEchoedInErrors_reachNoLogLineAndNoMessage(int status) {
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(echoingBody())));
        String log;
        Throwable t;
        String shown;
        try (LogCapture logs = new LogCapture(MEMBER_LOG);
             OpenAiCompatibleMember m = memberWithExtraBodySecrets().maxAttempts(3)
                     .circuitBreaker(2, Duration.ofSeconds(30)).build()) {
            t = catchThrowable(() -> m.chat(Stubs.extraction()));
            log = logs.text();
            shown = m.toString();
        }
        server.verify(postRequestedFor(urlEqualTo(CHAT)).withRequestBody(containing(BODY_KEY))
                .withRequestBody(containing(NESTED_TOKEN)));
        assertThat(t).isInstanceOf(ModelMemberException.class).hasMessageContaining("HTTP " + status)
                .hasMessageContaining("could not process");
        assertNoLeak("message", t.getMessage(), BODY_KEY, NESTED_TOKEN);
        assertNoLeak("toString", shown, BODY_KEY, NESTED_TOKEN);
        if (status != 400) {
            assertThat(log).contains("circuit opened").contains("attempt 1 failed").contains("could not process");
        }
        assertNoLeak("log", log, BODY_KEY, NESTED_TOKEN);
    }

    @Test
    void recognize_memberFailureEchoingTheBearerKey_leaksNothing() {
        String chat = "/echo" + CHAT;
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json").withBody(echoingBody())));
        // Defect 5: the answer text quotes the request's Authorization header: an unparseable_output diagnostic.
        server.stubFor(post(urlEqualTo(chat)).willReturn(Stubs.okCompletion("I was called with Authorization: "
                + "Bearer " + Stubs.SECRET + " and cannot help.")));
        server.stubFor(post(urlEqualTo("/good" + CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        NerResult r;
        String log;
        try (LogCapture logs = new LogCapture(MEMBER_LOG, INVOKER_LOG);
             OpenAiCompatibleMember bad = memberWithExtraBodySecrets().name("bad").maxAttempts(2)
                     .circuitBreaker(1, Duration.ofSeconds(30)).build();
             OpenAiCompatibleMember echo = OpenAiCompatibleMember.builder().name("echo").model("m")
                     .baseUrl(Stubs.url(server) + "/echo").flavor(Flavor.PROMPT_ONLY).apiKeyEnv(Stubs.KEY_VARIABLE)
                     .environment(Stubs.env()::get).retryDelays(Duration.ofMillis(5), Duration.ofMillis(20)).build();
             OpenAiCompatibleMember good = OpenAiCompatibleMember.builder().name("good").model("m")
                     .baseUrl(Stubs.url(server) + "/good").flavor(Flavor.PROMPT_ONLY).build();
             EnsembleNer ner = EnsembleNer.builder().entityType("PER", "person").entityType("LOC", "location")
                     .member(bad).member(echo).member(good).validation(ValidationMode.NONE)
                     .timeout(Duration.ofSeconds(10))
                     .build()) {
            r = ner.recognize(Stubs.SENTENCE);
            log = logs.text();
        }
        assertThat(r.diagnostics()).anySatisfy(d -> assertThat(d.kind()).isEqualTo(Diagnostic.Kind.MEMBER_FAILURE))
                .anySatisfy(d -> {
                    assertThat(d.kind()).isEqualTo(Diagnostic.Kind.UNPARSEABLE_OUTPUT);
                    assertThat(d.detail()).contains("Bearer " + Redaction.MASK);
                });
        for (Diagnostic d : r.diagnostics()) {
            assertNoLeak("diagnostic " + d, d.member() + d.message() + d.detail(), BODY_KEY, NESTED_TOKEN,
                    Stubs.SECRET);
        }
        assertThat(log).contains("member 'bad' failed in");
        assertNoLeak("log", log, BODY_KEY, NESTED_TOKEN, Stubs.SECRET);
    }

    @Test
    void chat_keyEchoedInServerHeader_isNotLoggedByFlavorDetection() {
        server.stubFor(get(urlEqualTo("/v1/models")).willReturn(aResponse().withStatus(200)
                .withHeader("Server", "llama.cpp/b1234 (" + Stubs.SECRET + ")").withBody("{\"data\": []}")));
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (LogCapture logs = new LogCapture(MEMBER_LOG);
             OpenAiCompatibleMember m = Stubs.member(server).flavor(Flavor.AUTO).apiKeyEnv(Stubs.KEY_VARIABLE)
                     .environment(Stubs.env()::get).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
            assertThat(logs.text()).contains("detected flavor llama-cpp").contains("llama.cpp/b1234 (****)");
            assertNoLeak("log", logs.text(), Stubs.SECRET);
        }
    }

    @ParameterizedTest(name = "a key starting at character {0} of the message")
    @ValueSource(ints = {150, 185, 190, 196})
    void chat_keyCrossingTheExcerptsCut_showsNoPrefix(int at) {
        String message = "x".repeat(at) + Stubs.SECRET + " and more";
        // Whitespace runs shrink when the excerpt is made one line: a key far into the raw body can still cross it.
        String spaced = "y" + " ".repeat(900) + "z".repeat(at - 4) + Stubs.SECRET;
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\": {\"message\": \"" + message + "\"}}")));
        server.stubFor(post(urlEqualTo("/raw" + CHAT)).willReturn(aResponse().withStatus(422).withBody(spaced)));
        server.stubFor(post(urlEqualTo("/ok" + CHAT)).willReturn(Stubs.ok("<html>" + spaced + "</html>")));
        try (OpenAiCompatibleMember m = Stubs.member(server).apiKeyEnv(Stubs.KEY_VARIABLE)
                .environment(Stubs.env()::get).build();
             OpenAiCompatibleMember raw = Stubs.member(server).baseUrl(Stubs.url(server) + "/raw").maxAttempts(1)
                     .apiKeyEnv(Stubs.KEY_VARIABLE).environment(Stubs.env()::get).build();
             OpenAiCompatibleMember ok = OpenAiCompatibleMember.builder().model("m").flavor(Flavor.OPENAI)
                     .baseUrl(Stubs.url(server) + "/ok").maxAttempts(1).apiKeyEnv(Stubs.KEY_VARIABLE)
                     .environment(Stubs.env()::get).build()) {
            assertNoLeak("error message", catchThrowable(() -> m.chat(Stubs.extraction())).getMessage(),
                    Stubs.SECRET);
            assertNoLeak("raw body", catchThrowable(() -> raw.chat(Stubs.extraction())).getMessage(),
                    Stubs.SECRET);
            Throwable t = catchThrowable(() -> ok.chat(Stubs.extraction()));
            assertThat(t).hasMessageContaining("not JSON");
            assertNoLeak("malformed answer", t.getMessage(), Stubs.SECRET);
        }
    }

    @Test
    void excerpt_secretInBody_isRedactedBeforeTheCut() throws Exception {
        try (Redaction.Registration r = Redaction.register(Stubs.SECRET)) {
            for (int at = 180; at < 210; at++) {
                byte[] body = ("q".repeat(at) + Stubs.SECRET + "q".repeat(300)).getBytes(StandardCharsets.UTF_8);
                assertNoLeak("excerpt at " + at, ResponseReader.excerpt(body), Stubs.SECRET);
                byte[] error = ("{\"error\": \"" + "e".repeat(at) + Stubs.SECRET + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                assertNoLeak("error message at " + at, ResponseReader.errorMessage(error).orElseThrow(),
                        Stubs.SECRET);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "http://127.0.0.1:8000/v1?api_key=KEY",
        "https://127.0.0.1:8000/v1?x=1&access_token=KEY#frag",
        "http://user:KEY@127.0.0.1:8000/v1",
        "http://127.0.0.1:8000/v1#token=KEY",
        "ftp://user:KEY@127.0.0.1/v1?password=KEY",
        "http://127.0.0.1:8000/v 1?apiKey=KEY",
        "http://user:KEY and more@127.0.0.1:8000/v1",
        "http://bob:ab/KEY@127.0.0.1:8000/v1",
        "http://bob:hunt@KEY@127.0.0.1/v1",
        "http://bob:KEY?x#y@127.0.0.1/v1"})
    void baseUrl_rejected_isShownWithoutItsCredentials(String url) {
        String key = "sk-in-the-url-5a4b3c2d1e";
        String u = url.replace("KEY", key);
        for (Map<String, Object> p : List.<Map<String, Object>>of(Map.of("model", "m", "baseUrl", u),
                Map.of("model", "m", "baseUrls", List.of("http://127.0.0.1:1", u)),
                Map.of("model", "m", "baseUrls", List.of(u, 7)))) {
            Throwable t = catchThrowable(() -> new OpenAiCompatibleMemberProvider(Map.<String, String>of()::get)
                    .create(ComponentConfig.of("member 'x'", new HashMap<>(p))));
            assertThat(t).isInstanceOf(El4nerConfigurationException.class);
            assertNoLeak("configuration error", t.getMessage(), key);
            assertThat(t.getMessage()).as("the rest of the URL is shown").contains("127.0.0.1");
        }
        assertNoLeak("builder", catchThrowable(() -> OpenAiCompatibleMember.builder().baseUrl(u)).getMessage(), key);
    }

    @Test
    void redact_passwordHoldingSlashesOrAtSigns_isMaskedWhole() {
        assertThat(Redaction.redactUrls("http://bob:ab/cd1234@host:8000/v1")).isEqualTo("http://****@host:8000/v1");
        assertThat(Redaction.redactUrls("http://bob:hunt@er2xyz@host/v1")).isEqualTo("http://****@host/v1");
        assertThat(Redaction.redactUrls("[http://a:pw/1@h1/v1, http://b:p@w2@h2/v1]"))
                .isEqualTo("[http://****@h1/v1, http://****@h2/v1]");
        assertThat(Redaction.redactUrls("got 'http://bob:x@y@host/v1' and 'http://host2/v1'"))
                .isEqualTo("got 'http://****@host/v1' and 'http://host2/v1'");
        assertThat(Redaction.redactUrls("http://host:8000/v1")).isEqualTo("http://host:8000/v1");
        assertThat(Redaction.redactUrls("[http://h1/v1, http://b:pw@h2/v1]"))
                .isEqualTo("[http://h1/v1, http://****@h2/v1]");
        long t0 = System.nanoTime();
        for (String huge : List.of("http://" + "x".repeat(1_000_000), "x".repeat(1_000_000), "a://".repeat(250_000),
                "http://" + "word ".repeat(200_000))) {
            assertThat(Redaction.redactUrls(huge)).isEqualTo(huge);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("linear, not quadratic").isLessThan(
                Duration.ofSeconds(10));
    }

    @Test
    void build_settingsNamedLikeTokens_areNotRegisteredAsSecrets() {
        String key = "sk-beside-settings-7h6g5f4e";
        int before = Redaction.registeredCount();
        try (OpenAiCompatibleMember m = Stubs.member(server).name("qwen-1024").extraBody(Map.of(
                "skip_special_tokens", true, "max_tokens", 1024, "max_new_tokens", 2048, "api_key", key,
                "auth", Map.of("token", 98765432))).build()) {
            assertThat(Redaction.registeredCount()).as("the key only").isEqualTo(before + 1);
            assertThat(Redaction.redact("{\"valid\": true} from qwen-1024, 2048 98765432 " + key))
                    .isEqualTo("{\"valid\": true} from qwen-1024, 2048 98765432 ****");
            assertThat(m.toString()).contains("qwen-1024");
        }
        assertThat(Redaction.registeredCount()).isEqualTo(before);
    }

    /**
     * A call that got a 500 body quoting the key while its member is closed builds its message after the close:
     * the key must still be masked then. The member's warning (the circuit opens on the first failure) is written
     * to {@code System.err} on the calling thread, inside the call: the test holds it there while it closes the
     * member.
     */
    @Test
    void close_callsInFlight_keepSecretsMaskedUntilTheLastReturns() throws Exception {
        String key = "sk-quoted-while-closing-2b3c4d5e";
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\": \"bad request {\\\"api_key\\\": \\\"" + key + "\\\"}\"}")));
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        OutputStream holding = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                captured.write(b);
                if (b == '\n' && inCall.getCount() > 0
                        && captured.toString(StandardCharsets.UTF_8).contains("circuit opened")) {
                    inCall.countDown();
                    try {
                        closed.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        PrintStream err = System.err;
        OpenAiCompatibleMember m = Stubs.member(server).extraBody(Map.of("api_key", key)).maxAttempts(1)
                .circuitBreaker(1, Duration.ofSeconds(30)).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> thrown.set(catchThrowable(() -> m.chat(Stubs.extraction()))));
        System.setErr(new PrintStream(holding, true, StandardCharsets.UTF_8));
        try {
            caller.start();
            assertThat(inCall.await(10, TimeUnit.SECONDS)).as("the call reached its warning").isTrue();
            m.close();
            assertThat(Redaction.redact(key)).as("still secret while a call is finishing").isEqualTo(Redaction.MASK);
        } finally {
            closed.countDown();
            caller.join(10_000);
            System.setErr(err);
        }
        assertThat(thrown.get()).isInstanceOf(ModelMemberException.class).hasMessageContaining("bad request");
        assertNoLeak("message", thrown.get().getMessage(), key);
        assertNoLeak("log", captured.toString(StandardCharsets.UTF_8), key);
        assertThat(Redaction.redact(key)).as("forgotten once the last call returned").isEqualTo(key);
    }
}
