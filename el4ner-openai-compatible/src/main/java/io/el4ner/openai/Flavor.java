package io.el4ner.openai;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a server is asked for JSON of a stage's schema. Every flavor sends the same OpenAI-style chat request; they
 * differ in the field that constrains the answer (and Ollama in its endpoint).
 *
 * @since 0.1
 */
public enum Flavor {
    /**
     * Find out on the first call: {@code GET /v1/models} answers {@code "owned_by": "vllm"} (vLLM) or
     * {@code "llamacpp"} (llama.cpp server), or {@code "openai"}/{@code "system"} (OpenAI); else
     * {@code GET /api/version} answers (Ollama); else {@link #PROMPT_ONLY}.
     */
    AUTO,
    /** {@code response_format: {"type": "json_schema", "json_schema": {"name", "schema", "strict": true}}}. */
    OPENAI,
    /**
     * vLLM's {@code structured_outputs: {"json": schema}} (vLLM 0.11 and later; for older vLLM use
     * {@link #OPENAI}); {@code structured_outputs: {"choice": ["true", "false"]}} when one entity is validated;
     * {@code structured_outputs: {"grammar": gbnf}} for stages with free span strings, which also keeps them to the
     * sentence (see {@link OpenAiCompatibleMember.Builder#substringGrammar(boolean)}).
     */
    VLLM,
    /**
     * llama.cpp server's {@code json_schema: schema} field of {@code /v1/chat/completions}; its {@code grammar: gbnf}
     * field instead for stages with free span strings, which also keeps them to the sentence (see
     * {@link OpenAiCompatibleMember.Builder#substringGrammar(boolean)}).
     */
    LLAMA_CPP,
    /** Ollama's native {@code POST /api/chat} with {@code format: schema} and {@code options}. */
    OLLAMA,
    /** No constraint: the prompt asks for JSON and el4ner's lenient parser reads what comes back. */
    PROMPT_ONLY;

    /**
     * @param text a flavor name, any case, {@code -} or {@code _}: {@code auto}, {@code openai}, {@code vllm},
     *             {@code llama-cpp} (or {@code llamacpp}), {@code ollama}, {@code prompt-only}
     * @return the flavor
     * @throws IllegalArgumentException naming the known flavors
     */
    public static Flavor parse(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        if (t.equals("LLAMACPP")) {
            return LLAMA_CPP;
        }
        for (Flavor f : values()) {
            if (f.name().equals(t)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown flavor '" + text + "'; known: " + Arrays.stream(values())
                .map(Flavor::configName).collect(Collectors.joining(", ")));
    }

    /** @return the name used in configurations, e.g. {@code llama-cpp} */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
