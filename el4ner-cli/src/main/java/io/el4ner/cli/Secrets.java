package io.el4ner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The secret values of a configuration (strings under a field whose name contains {@code key}, {@code token},
 * {@code secret}, {@code password}, {@code credential} or {@code authorization}, at any depth), so that they can be
 * masked in everything the CLI prints, whatever a provider puts in its messages.
 */
final class Secrets {
    /** Field names whose values are never printed. A superset of {@code ComponentConfig}'s pattern. */
    static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(key|token|secret|password|passwd|credential|authorization).*");
    static final String MASK = "****";
    /** Shorter values are not masked: replacing every "ab" in a message would garble it and protect nothing. */
    private static final int MIN_LENGTH = 4;

    static final Secrets NONE = new Secrets(List.of());

    private final List<String> values;

    private Secrets(List<String> values) {
        this.values = values.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /**
     * @param root a configuration, or null
     * @return the secret values found in it
     */
    static Secrets in(JsonNode root) {
        Set<String> found = new LinkedHashSet<>();
        collect(root, false, found);
        return new Secrets(List.copyOf(found));
    }

    private static void collect(JsonNode node, boolean secret, Set<String> out) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            if (secret && node.asText().strip().length() >= MIN_LENGTH) {
                out.add(node.asText());
                out.add(node.asText().strip());
            }
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, secret, out));
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                collect(e.getValue(), secret || SECRET_NAME.matcher(e.getKey()).matches(), out);
            }
        }
    }

    /**
     * @param text anything about to be printed, or null
     * @return the text with every secret value replaced by {@value #MASK}
     */
    String mask(String text) {
        if (text == null || values.isEmpty()) {
            return text;
        }
        String out = text;
        for (String v : values) {
            if (!v.isEmpty()) {
                out = out.replace(v, MASK);
            }
        }
        return out;
    }
}
