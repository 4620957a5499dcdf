package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.AnswerContract;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.openai.internal.AnswerGrammar;
import io.el4ner.openai.internal.Json;
import io.el4ner.openai.internal.StructuredOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * vLLM and llama.cpp get the extraction grammar ({@link AnswerGrammar}) instead of the JSON Schema, within a size
 * bound; other flavors, other stages and {@code substringGrammar(false)} keep the schema; re-asks send the grammar
 * again. Checked on the bodies a loopback server received.
 */
class SubstringGrammarTest extends LoopbackServerTest {
    private static final String CHAT = "/v1/chat/completions";

    private static List<JsonNode> bodies(String path) {
        return server.findAll(postRequestedFor(urlEqualTo(path))).stream().map(r -> {
            try {
                return Json.MAPPER.readTree(r.getBodyAsString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    private static String grammar(ChatRequest request) {
        return AnswerGrammar.of(AnswerContract.of(request.context()));
    }

    private static ChatRequest extraction(String sentence) {
        return new ChatRequest(List.of(ChatMessage.system(Stubs.EXTRACTION_SYSTEM),
                ChatMessage.user("Sentence: " + sentence)), GenerationOptions.greedyJson(256),
                new TaskContext(Stage.EXTRACTION, sentence, Stubs.TYPES, List.of(), List.of(), List.of()));
    }

    @Test
    void chat_vllm_sendsTheGrammarInsteadOfTheSchema() {
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = Stubs.member(server).flavor(Flavor.VLLM).build()) {
            assertThat(m.substringGrammar()).isTrue();
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
        }
        JsonNode so = bodies(CHAT).get(0).path("structured_outputs");
        assertThat(so.path("grammar").asText()).isEqualTo(grammar(Stubs.extraction()))
                .contains("\"Angela\"", "\"Merkel\"", "\"Paris\"");
        assertThat(so.has("json")).isFalse();
        assertThat(so.size()).isEqualTo(1);
    }

    @Test
    void chat_llamaCpp_sendsTheGrammarAndNoJsonSchema() {
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = Stubs.member(server).flavor(Flavor.LLAMA_CPP).build()) {
            m.chat(Stubs.extraction());
        }
        JsonNode body = bodies(CHAT).get(0);
        assertThat(body.path("grammar").asText()).isEqualTo(grammar(Stubs.extraction()));
        assertThat(body.has("json_schema")).as("llama.cpp refuses json_schema with grammar").isFalse();
        assertThat(body.has("response_format")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"VLLM", "LLAMA_CPP"})
    void chat_grammarTooLarge_sendsTheSchemaAlone(Flavor flavor) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < 40_000; i++) {
            b.append("Word").append(i).append(' ');
        }
        String sentence = b.append("end.").toString();
        ChatRequest request = extraction(sentence);
        assertThat(grammar(request).getBytes(StandardCharsets.UTF_8).length)
                .isGreaterThan(StructuredOutput.MAX_GRAMMAR_BYTES);
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion("{\"entities\": []}")));
        try (LogCapture log = new LogCapture(OpenAiCompatibleMember.class.getName());
             OpenAiCompatibleMember m = Stubs.member(server).flavor(flavor).build()) {
            m.chat(request);
            assertThat(log.text()).contains("sending the JSON Schema alone").doesNotContain("Word1 ");
        }
        JsonNode body = bodies(CHAT).get(0);
        JsonNode schema = flavor == Flavor.VLLM ? body.path("structured_outputs").path("json")
                : body.path("json_schema");
        assertThat(schema.path("properties").has("entities")).isTrue();
        assertThat(body.has("grammar")).isFalse();
        assertThat(body.path("structured_outputs").has("grammar")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"VLLM", "LLAMA_CPP"})
    void chat_substringGrammarOff_sendsTheSchema(Flavor flavor) {
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = Stubs.member(server).flavor(flavor).substringGrammar(false).build()) {
            assertThat(m.substringGrammar()).isFalse();
            m.chat(Stubs.extraction());
        }
        JsonNode body = bodies(CHAT).get(0);
        assertThat(body.toString()).doesNotContain("grammar");
        assertThat(flavor == Flavor.VLLM ? body.path("structured_outputs").has("json") : body.has("json_schema"))
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"OPENAI", "OLLAMA", "PROMPT_ONLY"})
    void chat_otherFlavors_neverSendAGrammar(Flavor flavor) {
        String path = flavor == Flavor.OLLAMA ? "/api/chat" : CHAT;
        server.stubFor(post(urlEqualTo(path)).willReturn(Stubs.ok(flavor == Flavor.OLLAMA
                ? Stubs.fixture("responses/ollama-chat.json") : Stubs.completion(Stubs.ENTITIES))));
        try (OpenAiCompatibleMember m = Stubs.member(server).flavor(flavor).build()) {
            m.chat(Stubs.extraction());
        }
        assertThat(bodies(path).get(0).toString()).doesNotContain("grammar");
    }

    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"VLLM", "LLAMA_CPP"})
    void chat_stagesWithoutFreeSpans_sendTheSchema(Flavor flavor) {
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion("{\"labels\": []}")));
        try (OpenAiCompatibleMember m = Stubs.member(server).flavor(flavor).build()) {
            m.chat(Stubs.classification());
        }
        JsonNode body = bodies(CHAT).get(0);
        assertThat(body.toString()).doesNotContain("grammar");
        JsonNode schema = flavor == Flavor.VLLM ? body.path("structured_outputs").path("json")
                : body.path("json_schema");
        assertThat(schema.path("properties").path("labels").path("items").path("properties").path("span")
                .path("enum")).hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"VLLM", "LLAMA_CPP"})
    void chat_reask_sendsTheGrammarAgain(Flavor flavor) {
        server.stubFor(post(urlEqualTo(CHAT)).inScenario("r").whenScenarioStateIs(STARTED)
                .willReturn(Stubs.okCompletion("{\"entities\": [\"Paris\"")).willSetStateTo("second"));
        server.stubFor(post(urlEqualTo(CHAT)).inScenario("r").whenScenarioStateIs("second")
                .willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = Stubs.member(server).flavor(flavor).build()) {
            assertThat(m.chat(Stubs.extraction()).text()).isEqualTo(Stubs.ENTITIES);
        }
        List<JsonNode> bodies = bodies(CHAT);
        assertThat(bodies).hasSize(2);
        String expected = grammar(Stubs.extraction());
        for (JsonNode body : bodies) {
            JsonNode g = flavor == Flavor.VLLM ? body.path("structured_outputs").path("grammar")
                    : body.path("grammar");
            assertThat(g.asText()).isEqualTo(expected);
        }
        assertThat(bodies.get(1).path("messages")).hasSize(4);
    }

    @Test
    void chat_extraBody_mergesOverTheGrammarRequest() {
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        try (OpenAiCompatibleMember m = Stubs.member(server).flavor(Flavor.VLLM)
                .extraBody(Map.of("structured_outputs", Map.of("disable_any_whitespace", true))).build()) {
            m.chat(Stubs.extraction());
        }
        JsonNode so = bodies(CHAT).get(0).path("structured_outputs");
        assertThat(so.path("grammar").isTextual()).isTrue();
        assertThat(so.path("disable_any_whitespace").asBoolean()).isTrue();
    }
}
