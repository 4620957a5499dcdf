package io.el4ner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.Redaction;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The secret values of a configuration, so that they are masked in everything the CLI prints, whatever a provider
 * puts in its messages:
 * <ul>
 *   <li>strings under a field whose name looks secret by {@link Redaction#isSecretName(String)} (it contains
 *       {@code key}, {@code token}, {@code secret}, {@code password}, {@code passwd}, {@code credential} or
 *       {@code authorization}, and is not a count such as {@code max_tokens}), at any depth; numbers and booleans
 *       are settings, never secrets;</li>
 *   <li>except a field that names an environment variable ({@code apiKeyEnv}, any secret-looking name ending in
 *       {@code Env} or {@code _env}): the variable's name is not secret and stays readable, its value is;</li>
 *   <li>in any string, the credentials of a URL ({@code user:password@}, up to the last {@code @}: a password may
 *       hold {@code /} or {@code @}) and the values of its query parameters with secret-looking names
 *       ({@code ?api_key=...}).</li>
 * </ul>
 * The values are also {@linkplain Redaction#register(String) registered} for the rest of the process (the CLI's
 * run), so that every exception, diagnostic and log line of every module masks them too.
 */
final class Secrets {
    /** A secret-looking field that names an environment variable, e.g. {@code apiKeyEnv}. */
    static final Pattern VARIABLE_NAME = Pattern.compile(".*(Env|_env|_ENV)");
    static final String MASK = Redaction.MASK;
    /** Shorter values are not masked: replacing every "ab" in a message would garble it and protect nothing. */
    private static final int MIN_LENGTH = Redaction.MIN_SECRET_LENGTH;

    static final Secrets NONE = new Secrets(List.of());

    private final List<String> values;

    private Secrets(List<String> values) {
        this.values = values.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /**
     * @param root a configuration, or null
     * @return the secret values found in it, registered with {@link Redaction} for the rest of the process
     */
    static Secrets in(JsonNode root) {
        return in(root, System::getenv);
    }

    /**
     * @param root a configuration, or null
     * @param environment where the variables named by {@code apiKeyEnv} and the like are looked up
     * @return the secret values found in it, registered with {@link Redaction} for the rest of the process
     */
    static Secrets in(JsonNode root, Function<String, String> environment) {
        Set<String> found = new LinkedHashSet<>();
        collect(root, false, false, environment, found);
        found.removeIf(v -> v.strip().length() < MIN_LENGTH);
        for (String v : found) {
            // Held for the run: the CLI's process ends with it. Counted, so loading a file twice is harmless.
            Redaction.register(v);
        }
        return new Secrets(List.copyOf(found));
    }

    private static void collect(JsonNode node, boolean secret, boolean variable,
                                Function<String, String> environment, Set<String> out) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            String text = node.asText();
            if (variable) {
                String value = text.isBlank() ? null : environment.apply(text.strip());
                if (value != null) {
                    out.add(value);
                    out.add(value.strip());
                }
            } else if (secret) {
                out.add(text);
                out.add(text.strip());
            }
            inUrls(text, out);
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, secret, variable, environment, out));
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                boolean named = Redaction.isSecretName(e.getKey());
                boolean names = !secret && named && VARIABLE_NAME.matcher(e.getKey()).matches();
                collect(e.getValue(), secret || named && !names, names, environment, out);
            }
        }
    }

    /** Adds the URL credentials and secret-named query values found in a text, as written and decoded. */
    private static void inUrls(String text, Set<String> out) {
        out.addAll(Redaction.urlSecrets(text));
        if (text.contains("://")) {
            try {
                URI uri = new URI(text.strip());
                if (uri.getUserInfo() != null) {
                    out.add(uri.getUserInfo());
                }
            } catch (URISyntaxException e) {
                // not one URL: Redaction.urlSecrets did the work
            }
        }
    }

    /**
     * @param text anything about to be printed, or null
     * @return the text with every secret value of this configuration, and every value registered with
     *         {@link Redaction}, replaced by {@value #MASK} (in the forms a server echoes them in, too)
     */
    String mask(String text) {
        return Redaction.redact(text, values);
    }
}
