package io.el4ner.api;

import java.util.List;
import java.util.Objects;

/**
 * What a chat request is about, in structured form, so that a member can answer without parsing the prompt
 * (replay and simulation members do this; LLM members ignore it).
 *
 * @param stage the pipeline stage asking
 * @param sentence the sentence (or window) the question is about
 * @param types the label set
 * @param demonstrations the in-context examples shown in the prompt; empty for zero-shot stages
 * @param spans the candidate spans to classify ({@link Stage#CLASSIFICATION}); empty otherwise
 * @param typedSpans the typed entities to validate ({@link Stage#VALIDATION}); empty otherwise
 * @since 0.1
 */
public record TaskContext(Stage stage, String sentence, List<EntityType> types, List<Demonstration> demonstrations,
                          List<String> spans, List<TypedSpan> typedSpans) {
    /** Validates and copies the components. */
    public TaskContext {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(sentence, "sentence");
        types = List.copyOf(types);
        demonstrations = List.copyOf(demonstrations);
        spans = List.copyOf(spans);
        typedSpans = List.copyOf(typedSpans);
    }
}
