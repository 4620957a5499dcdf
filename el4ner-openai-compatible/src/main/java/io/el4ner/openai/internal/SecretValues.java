package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.Redaction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the secret values a member sends, so that they can be {@linkplain Redaction registered}, and masks
 * credentials in URL-like texts that are shown before any value could be registered (a rejected base URL).
 */
final class SecretValues {
    private SecretValues() {
    }

    /**
     * @param node a JSON value, e.g. a member's {@code extraBody}, or null
     * @return every string under a field whose name looks {@linkplain Redaction#isSecretName(String) secret}, at
     *         any depth; numbers and booleans are settings ({@code "max_tokens": 1024}), not secrets
     */
    public static List<String> inJson(JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        collect(node, false, out);
        return List.copyOf(out);
    }

    private static void collect(JsonNode node, boolean secret, Set<String> out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (node.isValueNode()) {
            if (secret && node.isTextual()) {
                out.add(node.asText());
            }
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, secret, out));
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                collect(e.getValue(), secret || Redaction.isSecretName(e.getKey()), out);
            }
        }
    }

    /**
     * Registers values for as long as the returned registration is open.
     *
     * @param values secret values (short and blank ones are ignored by {@link Redaction})
     * @return one registration that closes all of them
     */
    public static Redaction.Registration registerAll(Iterable<String> values) {
        List<Redaction.Registration> all = new ArrayList<>();
        for (String v : values) {
            all.add(Redaction.register(v));
        }
        return () -> all.forEach(Redaction.Registration::close);
    }
}
