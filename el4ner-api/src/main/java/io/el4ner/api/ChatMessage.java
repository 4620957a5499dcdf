package io.el4ner.api;

import java.util.Objects;

/**
 * One turn of a chat prompt.
 *
 * @param role who speaks
 * @param content what is said
 * @since 0.1
 */
public record ChatMessage(Role role, String content) {
    /** Who speaks a {@link ChatMessage}. */
    public enum Role {
        /** Instructions. */
        SYSTEM,
        /** The task. */
        USER,
        /** A model's earlier answer. */
        ASSISTANT
    }

    /** Validates the components. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /**
     * @param content the instructions
     * @return a system message
     */
    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    /**
     * @param content the task
     * @return a user message
     */
    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }
}
