package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import io.el4ner.openai.Flavor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a flavor constrains an answer to, without a server. */
class StructuredOutputTest {
    /** The member sends the contract's schema parsed and written again by Jackson: the same text, byte for byte. */
    @Test
    void jsonSchema_parsedAndWrittenAgain_isTheContractsText() throws Exception {
        List<EntityType> types = List.of(EntityType.of("PER"), EntityType.of("a \"q\" \\ /type\u0001"),
                EntityType.of("\u4eba\u7269 \ud83d\ude00"));
        for (Stage stage : Stage.values()) {
            AnswerContract c = AnswerContract.of(new TaskContext(stage, "s", types, List.of(),
                    List.of("x\ty", "\u00e9\u0301"), List.of(new TypedSpan("a\nb", "PER"))));
            assertThat(Json.MAPPER.writeValueAsString(Json.MAPPER.readTree(c.jsonSchema()))).isEqualTo(c.jsonSchema());
        }
    }

    private static TaskContext context(Stage stage, String sentence, List<TypedSpan> spans) {
        return new TaskContext(stage, sentence, List.of(EntityType.of("PER"), EntityType.of("LOC")), List.of(),
                List.of(), spans);
    }

    @Test
    void forStage_vllmValidatingOneEntity_isAChoice() {
        StructuredOutput o = StructuredOutput.forStage(Flavor.VLLM, context(Stage.VALIDATION, "Ann met Bob.",
                List.of(new TypedSpan("Ann", "PER"))), true, "m");
        assertThat(o.choice()).containsExactly("true", "false");
        assertThat(StructuredOutput.forStage(Flavor.OPENAI, context(Stage.VALIDATION, "Ann met Bob.",
                List.of(new TypedSpan("Ann", "PER"))), true, "m").isChoice()).isFalse();
    }

    @Test
    void forStage_extraction_isAGrammarForVllmAndLlamaCppOnly() {
        TaskContext c = context(Stage.EXTRACTION, "Ann met Bob.", List.of());
        assertThat(StructuredOutput.forStage(Flavor.VLLM, c, true, "m").hasGrammar()).isTrue();
        assertThat(StructuredOutput.forStage(Flavor.LLAMA_CPP, c, true, "m").hasGrammar()).isTrue();
        assertThat(StructuredOutput.forStage(Flavor.LLAMA_CPP, c, false, "m").hasGrammar()).isFalse();
        assertThat(StructuredOutput.forStage(Flavor.OPENAI, c, true, "m").hasGrammar()).isFalse();
        assertThat(StructuredOutput.forStage(Flavor.OLLAMA, c, true, "m").schema().isObject()).isTrue();
    }

    @Test
    void forStage_grammarOverTheBound_isTheSchemaAlone() {
        String sentence = "word ".repeat(3_000).strip();
        StructuredOutput o = StructuredOutput.forStage(Flavor.VLLM, context(Stage.EXTRACTION, sentence, List.of()),
                true, "m");
        assertThat(o.hasGrammar()).isFalse();
        assertThat(o.isChoice()).isFalse();
    }
}
