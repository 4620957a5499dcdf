package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.Redaction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the secret values a member sends, so that they can be {@linkplain Redaction registered}, and masks
 * credentials in URL-like texts that are shown before any value could be registered (a rejected base URL).
 */
public final class SecretValues {
    /**
     * Field and query parameter names whose values are secret; the same rule as the CLI's: the name contains
     * {@code key}, {@code token}, {@code secret}, {@code password}, {@code passwd}, {@code credential} or
     * {@code authorization}, in any case.
     */
    public static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(key|token|secret|password|passwd|credential|authorization).*");
    /** {@code scheme://userinfo@}: the userinfo is group 2 (spaces included: a password may hold one). */
    private static final Pattern USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@'\"\\r\\n]+)@");
    /** A query (or fragment) parameter {@code name=value}: the name is group 2, the value group 3. */
    private static final Pattern PARAMETER = Pattern.compile("([?&;#]([^=&;#\\s]+)=)([^&;#\\s]*)");

    private SecretValues() {
    }

    /**
     * @param node a JSON value, e.g. a member's {@code extraBody}, or null
     * @return every string (or other scalar, as text) under a field whose name looks {@linkplain #SECRET_NAME
     *         secret}, at any depth
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
            if (secret) {
                out.add(node.asText());
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
     * @param text any text that may hold URLs, or null
     * @return the text with the userinfo of every URL ({@code user:password@}) and the value of every query
     *         parameter whose name looks secret replaced by {@value Redaction#MASK}; registered secrets are masked
     *         too
     */
    public static String maskUrls(String text) {
        if (text == null) {
            return null;
        }
        String out = USERINFO.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + Redaction.MASK
                + "@"));
        Matcher m = PARAMETER.matcher(out);
        StringBuilder sb = new StringBuilder(out.length());
        while (m.find()) {
            String replacement = SECRET_NAME.matcher(m.group(2)).matches() && !m.group(3).isEmpty()
                    ? m.group(1) + Redaction.MASK : m.group();
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return Redaction.redact(sb.toString());
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
