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
     * {@code scheme://userinfo@}: the scheme is group 1, the userinfo group 2. The userinfo runs to the <em>last</em>
     * {@code @} before a quote, a line break, an angle bracket, the end of the text or the next {@code ://}:
     * a password may hold {@code /}, {@code ?}, {@code #}, {@code @} and spaces, and a URL that hides one is not
     * valid, so its end cannot be found by the URL's grammar. An {@code @} in a path is masked with what precedes
     * it: too much is masked rather than too little. A scheme starts a word (the look-behind) and the stretch has
     * no nested scan, so the search is linear in the text's length.
     */
    static final Pattern USERINFO = Pattern.compile(
            "(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*+://)((?:(?!://)[^'\"`<>\\r\\n])*)@");
    /** A query (or fragment) parameter {@code name=value}: the name is group 2, the value group 3. */
    private static final Pattern PARAMETER = Pattern.compile("([?&;#]([^=&;#\\s]+)=)([^&;#\\s]*)");

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
            String replacement = Redaction.isSecretName(m.group(2)) && !m.group(3).isEmpty()
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
