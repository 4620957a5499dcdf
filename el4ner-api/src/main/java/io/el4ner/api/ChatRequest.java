package io.el4ner.api;

import java.util.List;
import java.util.Objects;

/**
 * One call to a {@link io.el4ner.api.spi.ModelMember}: the rendered prompt, decoding options, and the task in
 * structured form.
 *
 * @param messages the prompt, at least one message
 * @param options decoding settings
 * @param context what the prompt asks, in structured form
 * @since 0.1
 */
public record ChatRequest(List<ChatMessage> messages, GenerationOptions options, TaskContext context) {
    /** Validates and copies the components. */
    public ChatRequest {
        messages = List.copyOf(messages);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(context, "context");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
    }

    /** @return the prompt's messages joined by blank lines, e.g. for a completion-only backend */
    public String promptText() {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            if (sb.length() > 0) {
                sb.append("\n\n");
            }
            sb.append(m.content());
        }
        return sb.toString();
    }
}
