package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.Redaction;
import io.el4ner.openai.Flavor;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Finds out which server answers at a base URL from what it reveals about itself:
 * <ol>
 *   <li>{@code GET /v1/models}: an entry {@code "owned_by": "vllm"} means vLLM, {@code "llamacpp"} (or a
 *       {@code Server: llama.cpp} header) the llama.cpp server, {@code "openai"}/{@code "system"} OpenAI;</li>
 *   <li>otherwise {@code GET /api/version} answering {@code {"version": ...}} means Ollama;</li>
 *   <li>otherwise the server is unknown and gets {@link Flavor#PROMPT_ONLY}.</li>
 * </ol>
 */
final class FlavorDetector {
    private FlavorDetector() {
    }

    /**
     * What was found.
     *
     * @param flavor the flavor to use
     * @param evidence what gave it away, for the log
     */
    public record Detection(Flavor flavor, String evidence) {
    }

    /**
     * @param transport the member's transport
     * @param url the base URL
     * @param timeoutNanos the time for each of the (at most two) requests
     * @return the detection, or empty when {@code /v1/models} got no answer and the server is not Ollama (try
     *     again later: an unknown server is only concluded from an answer)
     * @throws InterruptedException if the calling thread was interrupted
     */
    public static Optional<Detection> detect(Transport transport, BaseUrl url, long timeoutNanos)
            throws InterruptedException {
        boolean reached = false;
        try {
            HttpResponse<byte[]> r = transport.exchange(transport.get(url.models()), timeoutNanos);
            reached = true;
            String server = r.headers().firstValue("server").orElse("");
            if (server.toLowerCase(Locale.ROOT).contains("llama.cpp")) {
                // as sent (not lower-cased), so that a secret echoed in it is still recognised and masked
                return Optional.of(new Detection(Flavor.LLAMA_CPP, "Server: " + Redaction.excerpt(server, 100)));
            }
            if (r.statusCode() == 200) {
                JsonNode root = parse(r.body());
                for (JsonNode m : root.path("data")) {
                    String owner = m.path("owned_by").asText("").toLowerCase(Locale.ROOT);
                    switch (owner) {
                        case "vllm":
                            return Optional.of(new Detection(Flavor.VLLM, "GET /v1/models owned_by=vllm"));
                        case "llamacpp":
                            return Optional.of(new Detection(Flavor.LLAMA_CPP, "GET /v1/models owned_by=llamacpp"));
                        case "openai", "system", "openai-internal":
                            return Optional.of(new Detection(Flavor.OPENAI, "GET /v1/models owned_by=" + owner));
                        default:
                            break;
                    }
                }
            }
        } catch (IOException | TimeoutException e) {
            // not reachable this way; try Ollama's endpoint
        }
        try {
            HttpResponse<byte[]> r = transport.exchange(transport.get(url.ollamaVersion()), timeoutNanos);
            if (r.statusCode() == 200 && parse(r.body()).path("version").isTextual()) {
                return Optional.of(new Detection(Flavor.OLLAMA, "GET /api/version answered "
                        + Redaction.excerpt(parse(r.body()).path("version").asText(), 100)));
            }
        } catch (IOException | TimeoutException e) {
            // unreachable
        }
        if (!reached) {
            return Optional.empty();
        }
        return Optional.of(new Detection(Flavor.PROMPT_ONLY, "the server did not reveal itself"));
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            return n == null ? Json.MAPPER.missingNode() : n;
        } catch (IOException e) {
            return Json.MAPPER.missingNode();
        }
    }
}
