package io.el4ner.core.internal.llm;

import io.el4ner.api.EntityType;
import io.el4ner.api.Provenance;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a label a member gave as one of the label set's types, or as "not an entity": case-insensitively, with the
 * usual ways of saying "none" and {@code B-PER} style tags understood.
 */
public final class LabelNormalizer {
    private static final Set<String> NONE_LABELS = Set.of("none", "o", "null", "not an entity", "not_an_entity",
            "no entity", "n/a", "non-entity", "not entity", "no");

    private final Map<String, String> typeByLowerName;

    /** @param types the label set */
    public LabelNormalizer(List<EntityType> types) {
        Map<String, String> byLower = new HashMap<>();
        for (EntityType t : types) {
            byLower.put(t.name().toLowerCase(Locale.ROOT), t.name());
        }
        this.typeByLowerName = Map.copyOf(byLower);
    }

    /**
     * @param raw a label as a member wrote it
     * @return the type's name, {@link Provenance#NOT_AN_ENTITY}, or empty when it is neither
     */
    public Optional<String> normalize(String raw) {
        String t = raw.strip().toLowerCase(Locale.ROOT);
        String known = typeByLowerName.get(t);
        if (known != null) {
            return Optional.of(known);
        }
        if (NONE_LABELS.contains(t)) {
            return Optional.of(Provenance.NOT_AN_ENTITY);
        }
        // "B-PER" style answers
        if (t.length() > 2 && (t.startsWith("b-") || t.startsWith("i-"))) {
            return Optional.ofNullable(typeByLowerName.get(t.substring(2)));
        }
        return Optional.empty();
    }
}
