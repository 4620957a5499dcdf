package io.el4ner.eval;

import java.util.Objects;

/**
 * One gold sentence of an evaluation.
 *
 * @param id a stable identifier, unique in the run (e.g. {@code wnut17/emerging.test.annotated#12}); it is how a
 *     resumed run knows what is done
 * @param dataset the dataset's name, for per-dataset breakdowns
 * @param language the language code (e.g. {@code en}), for per-language breakdowns
 * @param sentence the tokens and gold tags
 * @since 0.1
 */
public record EvaluationItem(String id, String dataset, String language, ConllSentence sentence) {
    /** Validates the components. */
    public EvaluationItem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(sentence, "sentence");
    }
}
