package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.ChatMessage;
import io.el4ner.openai.Flavor;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the JSON request body of one chat call for a server flavor. The shapes follow the servers' public
 * documentation; the fixtures under {@code src/test/resources/fixtures/requests} record them.
 */
final class RequestBodies {
    private RequestBodies() {
    }

    /**
     * Decoding settings of one call.
     *
     * @param model the model name
     * @param temperature the sampling temperature
     * @param maxTokens the most tokens to generate
     * @param seed the sampling seed, or null
     */
    public record Decoding(String model, double temperature, int maxTokens, Long seed) {
    }

    /**
     * @param flavor the server flavor ({@link Flavor#AUTO} is not allowed: resolve it first)
     * @param messages the conversation
     * @param decoding the decoding settings
     * @param output the answer's constraint, or null for none
     * @param extraBody fields merged into the body last (objects merge recursively; other values replace)
     * @return the request body
     */
    public static ObjectNode build(Flavor flavor, List<ChatMessage> messages, Decoding decoding,
                                   StructuredOutput output, ObjectNode extraBody) {
        if (flavor == Flavor.AUTO) {
            throw new IllegalArgumentException("resolve the AUTO flavor before building a request");
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", decoding.model());
        ArrayNode msgs = body.putArray("messages");
        for (ChatMessage m : messages) {
            msgs.addObject().put("role", m.role().name().toLowerCase(Locale.ROOT)).put("content", m.content());
        }
        body.put("stream", false);
        if (flavor == Flavor.OLLAMA) {
            if (output != null) {
                body.set("format", output.schema());
            }
            ObjectNode options = body.putObject("options");
            options.put("temperature", decoding.temperature());
            options.put("num_predict", decoding.maxTokens());
            if (decoding.seed() != null) {
                options.put("seed", decoding.seed());
            }
        } else {
            body.put("temperature", decoding.temperature());
            body.put("max_tokens", decoding.maxTokens());
            if (decoding.seed() != null) {
                body.put("seed", decoding.seed());
            }
            if (output != null) {
                switch (flavor) {
                    case OPENAI -> {
                        ObjectNode format = body.putObject("response_format").put("type", "json_schema");
                        ObjectNode js = format.putObject("json_schema").put("name", output.name());
                        js.set("schema", output.schema());
                        js.put("strict", true);
                    }
                    case VLLM -> {
                        ObjectNode so = body.putObject("structured_outputs");
                        if (output.isChoice()) {
                            ArrayNode choice = so.putArray("choice");
                            output.choice().forEach(choice::add);
                        } else if (output.hasGrammar()) {
                            so.put("grammar", output.grammar());
                        } else {
                            so.set("json", output.schema());
                        }
                    }
                    case LLAMA_CPP -> {
                        // json_schema and grammar are exclusive on llama.cpp's server.
                        if (output.hasGrammar()) {
                            body.put("grammar", output.grammar());
                        } else {
                            body.set("json_schema", output.schema());
                        }
                    }
                    default -> {
                        // PROMPT_ONLY: the prompt asks for JSON; nothing to add.
                    }
                }
            }
        }
        if (extraBody != null) {
            merge(body, extraBody);
        }
        return body;
    }

    /**
     * Merges {@code extra} into {@code target}: objects merge recursively, anything else replaces.
     *
     * @param target the body
     * @param extra the fields to add
     */
    public static void merge(ObjectNode target, ObjectNode extra) {
        for (Map.Entry<String, JsonNode> e : extra.properties()) {
            JsonNode existing = target.get(e.getKey());
            if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode vo) {
                merge(eo, vo);
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }
}
