package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.EntityType;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import io.el4ner.openai.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Shared test helpers: a loopback WireMock server, fixture files, sample requests and answers. Public for the tests of
 * the internal package (the provider's), which use the stub key.
 */
public final class Stubs {
    static final String SENTENCE = "Angela Merkel visited Paris.";
    static final List<EntityType> TYPES = List.of(new EntityType("PER", "person"), new EntityType("LOC", "location"));
    static final String EXTRACTION_SYSTEM = "You extract named entities of the types PER and LOC. Answer with JSON "
            + "only: {\"entities\": [\"span\", ...]}.";
    static final String ENTITIES = "{\"entities\": [\"Angela Merkel\", \"Paris\"]}";
    public static final String SECRET = "sk-test-0123456789abcdefSECRET";
    public static final String KEY_VARIABLE = "EL4NER_TEST_API_KEY";

    private Stubs() {
    }

    /** @return a started WireMock server on 127.0.0.1 and an ephemeral port */
    static WireMockServer server() {
        WireMockServer s = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .containerThreads(40).asynchronousResponseEnabled(false));
        s.start();
        // The first exchange of a fresh server is slow (class loading, JIT) on a busy machine: pay for it here, not
        // inside a test's deadline.
        s.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/warm-up/v1/chat/completions").willReturn(ok(completion("{}"))));
        try (OpenAiCompatibleMember m = OpenAiCompatibleMember.builder().model("m").baseUrl(url(s) + "/warm-up")
                .flavor(Flavor.PROMPT_ONLY).build()) {
            m.chat(extraction());
        } catch (RuntimeException e) {
            // a 404 is as good a warm-up as a 200
        }
        s.resetAll();
        return s;
    }

    /** @return the server's URL on 127.0.0.1 */
    static String url(WireMockServer server) {
        return "http://127.0.0.1:" + server.port();
    }

    /** @return a loopback port nothing listens on */
    static int deadPort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fixture(String path) {
        try (InputStream in = Stubs.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return an OpenAI-shaped chat completion with usage */
    static String completion(String content) {
        return completion(content, "m", true);
    }

    static String completion(String content, String model, boolean usage) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("id", "chatcmpl-test").put("object", "chat.completion")
                .put("created", 1741569952);
        if (model != null) {
            root.put("model", model);
        }
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content);
        choice.put("finish_reason", "stop");
        if (usage) {
            root.putObject("usage").put("prompt_tokens", 52).put("completion_tokens", 12).put("total_tokens", 64);
        }
        return root.toString();
    }

    static ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    static ResponseDefinitionBuilder okCompletion(String content) {
        return ok(completion(content));
    }

    /** @return a builder pointing at the server with fast retries and short deadlines */
    static OpenAiCompatibleMember.Builder member(WireMockServer server) {
        return OpenAiCompatibleMember.builder().name("m1").model("m").baseUrl(url(server) + "/v1")
                .flavor(Flavor.OPENAI).retryDelays(Duration.ofMillis(5), Duration.ofMillis(20))
                .requestTimeout(Duration.ofSeconds(2)).callTimeout(Duration.ofSeconds(5));
    }

    /** @return an environment in which {@link #KEY_VARIABLE} holds {@link #SECRET} */
    public static Map<String, String> env() {
        return Map.of(KEY_VARIABLE, SECRET);
    }

    static ChatRequest extraction() {
        return new ChatRequest(List.of(ChatMessage.system(EXTRACTION_SYSTEM), ChatMessage.user("Sentence: " + SENTENCE)),
                GenerationOptions.greedyJson(256), new TaskContext(Stage.EXTRACTION, SENTENCE, TYPES, List.of(),
                List.of(), List.of()));
    }

    static ChatRequest classification() {
        return new ChatRequest(List.of(ChatMessage.system("You label spans with PER, LOC or NONE. Answer with JSON "
                        + "only: {\"labels\": [{\"span\": \"...\", \"type\": \"...\"}]}."),
                ChatMessage.user("Sentence: " + SENTENCE + "\nSpans: [\"Angela Merkel\",\"Paris\"]")),
                GenerationOptions.greedyJson(256), new TaskContext(Stage.CLASSIFICATION, SENTENCE, TYPES, List.of(),
                List.of("Angela Merkel", "Paris"), List.of()));
    }

    static ChatRequest validation(TypedSpan... spans) {
        return new ChatRequest(List.of(ChatMessage.system("You check entities. Answer with JSON only: {\"verdicts\": "
                        + "[{\"span\": \"...\", \"type\": \"...\", \"valid\": true or false}]}."),
                ChatMessage.user("Sentence: " + SENTENCE + "\nEntities: [{\"span\":\"Paris\",\"type\":\"LOC\"}]")),
                GenerationOptions.greedyJson(256), new TaskContext(Stage.VALIDATION, SENTENCE, TYPES, List.of(),
                List.of(), List.of(spans)));
    }
}
