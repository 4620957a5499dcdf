package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What the answer is constrained to: JSON of a schema, or one of a few strings (vLLM's choice).
 *
 * @param name the schema's name
 * @param schema the JSON schema
 * @param choice the allowed answers instead of the schema (vLLM only), or empty
 */
public record StructuredOutput(String name, ObjectNode schema, List<String> choice) {
    /** Copies the choice. */
    public StructuredOutput {
        choice = List.copyOf(choice);
    }

    /** @return whether the answer is a choice rather than JSON */
    public boolean isChoice() {
        return !choice.isEmpty();
    }
}
