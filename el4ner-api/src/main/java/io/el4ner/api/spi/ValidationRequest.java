package io.el4ner.api.spi;

import io.el4ner.api.Demonstration;
import io.el4ner.api.EntityType;
import io.el4ner.api.TypedSpan;
import java.util.List;
import java.util.Objects;

/**
 * The typed entities of one sentence to validate.
 *
 * @param sentence the sentence
 * @param types the label set
 * @param demonstrations the demonstrations retrieved for the sentence
 * @param entities the entities to keep or drop; distinct (text, type) pairs
 * @param members access to the ensemble's members
 * @since 0.1
 */
public record ValidationRequest(String sentence, List<EntityType> types, List<Demonstration> demonstrations,
                                List<TypedSpan> entities, MemberCaller members) {
    /** Validates and copies the components. */
    public ValidationRequest {
        Objects.requireNonNull(sentence, "sentence");
        types = List.copyOf(types);
        demonstrations = List.copyOf(demonstrations);
        entities = List.copyOf(entities);
        Objects.requireNonNull(members, "members");
    }
}
