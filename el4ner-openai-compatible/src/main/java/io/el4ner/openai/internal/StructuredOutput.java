package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What the answer is constrained to: JSON of a schema, or one of a few strings (vLLM's choice), or a grammar (vLLM and
 * llama.cpp) that says all the schema says and more.
 *
 * @param name the schema's name
 * @param schema the JSON schema
 * @param choice the allowed answers instead of the schema (vLLM only), or empty
 * @param grammar the {@link AnswerGrammar} sent instead of the schema (vLLM and llama.cpp only), or null
 */
public record StructuredOutput(String name, ObjectNode schema, List<String> choice, String grammar) {
    /** Copies the choice. */
    public StructuredOutput {
        choice = List.copyOf(choice);
        if (!choice.isEmpty() && grammar != null) {
            throw new IllegalArgumentException("a structured output is a choice or a grammar, not both");
        }
    }

    /**
     * @param name the schema's name
     * @param schema the JSON schema
     * @param choice the allowed answers instead of the schema (vLLM only), or empty
     */
    public StructuredOutput(String name, ObjectNode schema, List<String> choice) {
        this(name, schema, choice, null);
    }

    /** @return whether the answer is a choice rather than JSON */
    public boolean isChoice() {
        return !choice.isEmpty();
    }

    /** @return whether a grammar is sent instead of the schema */
    public boolean hasGrammar() {
        return grammar != null;
    }
}
