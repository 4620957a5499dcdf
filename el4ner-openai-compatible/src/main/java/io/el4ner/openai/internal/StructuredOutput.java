package io.el4ner.openai.internal;

import static io.el4ner.openai.internal.MemberLog.LOG;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.AnswerContract;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.openai.Flavor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    /**
     * The largest substring grammar sent (UTF-8 bytes); a larger one falls back to the JSON Schema alone. Four times
     * the grammar of the longest CoNLL-2003 test sentence (124 tokens, 4,099 bytes; el4ner-benchmarks'
     * ServerGrammarStudy), about 500 tokens of English: the grammar grows linearly, but a span's first token has one
     * alternative per sentence token, and a server's grammar engine follows each of them while a span starts.
     */
    public static final int MAX_GRAMMAR_BYTES = 16 * 1024;

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

    /**
     * What a flavor constrains a stage's answer to: vLLM validating one entity gets a choice of {@code true} or
     * {@code false}; vLLM and llama.cpp get, with {@code substringGrammar}, the stage's {@link AnswerGrammar} where
     * span strings are free text and the grammar is at most {@link #MAX_GRAMMAR_BYTES}; everything else gets the
     * stage's JSON Schema.
     *
     * @param flavor the resolved flavor, not {@link Flavor#PROMPT_ONLY}
     * @param context the task
     * @param substringGrammar whether grammars may be sent
     * @param member the member's name, for the log
     * @return the constraint to send
     */
    public static StructuredOutput forStage(Flavor flavor, TaskContext context, boolean substringGrammar,
                                            String member) {
        AnswerContract contract = AnswerContract.of(context);
        ObjectNode schema;
        try {
            schema = (ObjectNode) Json.MAPPER.readTree(contract.jsonSchema());
        } catch (IOException e) {
            throw new IllegalStateException("the answer contract's JSON Schema is not JSON: " + contract, e);
        }
        if (flavor == Flavor.VLLM && context.stage() == Stage.VALIDATION && context.typedSpans().size() == 1) {
            return new StructuredOutput(contract.name(), schema, List.of("true", "false"));
        }
        if (substringGrammar && (flavor == Flavor.VLLM || flavor == Flavor.LLAMA_CPP)
                && AnswerGrammar.hasSubstringRule(contract)) {
            String g = AnswerGrammar.of(contract);
            int bytes = g.getBytes(StandardCharsets.UTF_8).length;
            if (bytes <= MAX_GRAMMAR_BYTES) {
                return new StructuredOutput(contract.name(), schema, List.of(), g);
            }
            // The sentence itself is never logged: only its length.
            LOG.debug("member '{}': the {} grammar of a {}-char sentence takes {} bytes, over the {}-byte bound; "
                    + "sending the JSON Schema alone (span strings are checked by el4ner's parser only)", member,
                    FailureMessages.stageName(context.stage()), context.sentence().length(), bytes, MAX_GRAMMAR_BYTES);
        }
        return new StructuredOutput(contract.name(), schema, List.of());
    }
}
