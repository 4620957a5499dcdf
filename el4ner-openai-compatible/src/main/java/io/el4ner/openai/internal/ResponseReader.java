package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.El4nerException;
import io.el4ner.api.Redaction;
import io.el4ner.api.TokenUsage;
import io.el4ner.openai.Flavor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads a chat answer: the OpenAI chat-completion shape ({@code choices[0].message.content}, {@code model},
 * {@code usage.prompt_tokens} / {@code completion_tokens}) or Ollama's native one ({@code message.content},
 * {@code model}, {@code prompt_eval_count} / {@code eval_count}). Missing usage gives
 * {@link TokenUsage#UNREPORTED}; a missing model name gives {@code ""}.
 */
public final class ResponseReader {
    private static final int EXCERPT = 200;

    private ResponseReader() {
    }

    /**
     * The body is not a chat answer. Declared where it is thrown and caught by the exchange, which retries; it never
     * reaches users as such.
     */
    public static final class MalformedAnswerException extends El4nerException {
        private static final long serialVersionUID = 1L;

        /** @param message what is wrong */
        public MalformedAnswerException(String message) {
            super(message);
        }
    }

    /**
     * @param flavor the flavor the request was sent with
     * @param body the response body
     * @param contentType the response's content type, for messages
     * @return the answer
     * @throws MalformedAnswerException if the body is not JSON or not a chat answer
     */
    public static Answer read(Flavor flavor, byte[] body, String contentType) throws MalformedAnswerException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new MalformedAnswerException("the body is not JSON (content type " + contentType + ", "
                    + body.length + " bytes: " + excerpt(body) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedAnswerException("the body is not a JSON object (content type " + contentType + ": "
                    + excerpt(body) + ")");
        }
        if (root.hasNonNull("error") && !root.has("choices") && !root.has("message")) {
            throw new MalformedAnswerException("the server answered with an error: " + errorMessage(body)
                    .orElse(excerpt(body)));
        }
        String model = root.path("model").isTextual() ? root.get("model").asText() : "";
        JsonNode message;
        String finish;
        if (root.has("choices")) {
            JsonNode choices = root.get("choices");
            if (!choices.isArray() || choices.isEmpty() || !choices.get(0).isObject()) {
                throw new MalformedAnswerException("'choices' is not a non-empty array of objects: " + excerpt(body));
            }
            message = choices.get(0).path("message");
            finish = choices.get(0).path("finish_reason").asText("");
        } else if (root.has("message")) {
            message = root.get("message");
            finish = root.path("done_reason").asText("");
        } else {
            throw new MalformedAnswerException("no 'choices' (or Ollama 'message') in the answer: " + excerpt(body));
        }
        if (!message.isObject()) {
            throw new MalformedAnswerException("the answer has no 'message' object: " + excerpt(body));
        }
        String text = content(message.path("content"));
        return new Answer(text, usage(root), model, finish);
    }

    private static String content(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                if (part.isTextual()) {
                    sb.append(part.asText());
                } else if (part.path("text").isTextual()) {
                    sb.append(part.get("text").asText());
                }
            }
            return sb.toString();
        }
        return "";
    }

    private static TokenUsage usage(JsonNode root) {
        JsonNode usage = root.path("usage");
        if (usage.isObject()) {
            JsonNode p = usage.path("prompt_tokens");
            JsonNode c = usage.path("completion_tokens");
            if (p.canConvertToLong() && c.canConvertToLong() && p.asLong() >= 0 && c.asLong() >= 0) {
                return TokenUsage.of(p.asLong(), c.asLong());
            }
            return TokenUsage.UNREPORTED;
        }
        JsonNode p = root.path("prompt_eval_count");
        JsonNode c = root.path("eval_count");
        if (p.canConvertToLong() || c.canConvertToLong()) {
            long pp = p.canConvertToLong() ? Math.max(0, p.asLong()) : 0;
            long cc = c.canConvertToLong() ? Math.max(0, c.asLong()) : 0;
            return TokenUsage.of(pp, cc);
        }
        return TokenUsage.UNREPORTED;
    }

    /**
     * Finds the human-readable message of an error body: {@code {"error": {"message"}}} (OpenAI, vLLM,
     * llama.cpp), {@code {"error": "..."}} (Ollama), {@code {"message"}} or {@code {"detail"}}.
     *
     * @param body the error body
     * @return the message, if the body has one
     */
    public static Optional<String> errorMessage(byte[] body) {
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            if (root == null || !root.isObject()) {
                return Optional.empty();
            }
            JsonNode error = root.path("error");
            if (error.isTextual()) {
                return Optional.of(cut(error.asText()));
            }
            if (error.path("message").isTextual()) {
                return Optional.of(cut(error.get("message").asText()));
            }
            for (String f : new String[] {"message", "detail"}) {
                if (root.path(f).isTextual()) {
                    return Optional.of(cut(root.get(f).asText()));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * @param body a body
     * @return its start as one line, for a message: {@linkplain Redaction redacted} as a whole first, then cut,
     *         so that a secret crossing the cut shows none of its characters
     */
    public static String excerpt(byte[] body) {
        if (body.length == 0) {
            return "(empty)";
        }
        return "'" + cut(new String(body, StandardCharsets.UTF_8)) + "'";
    }

    /** Redacts the whole text, then makes it one line of at most {@value #EXCERPT} characters. */
    private static String cut(String s) {
        String one = Redaction.redact(s).replaceAll("\\s+", " ").strip();
        if (one.length() <= EXCERPT) {
            return one;
        }
        int end = Character.isHighSurrogate(one.charAt(EXCERPT - 1)) ? EXCERPT - 1 : EXCERPT;
        return one.substring(0, end) + "…";
    }
}
