package io.el4ner.api.spi;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.EntityType;
import io.el4ner.api.Redaction;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a provider gets to create its component: the parameters the user gave (from the builder or the JSON
 * configuration) and what the ensemble knows. Parameter values are JSON-like: {@link String}, {@link Number},
 * {@link Boolean}, {@link List} or {@link Map}. {@link #toString()} hides the values of parameters whose names
 * look secret by {@link Redaction#isSecretName(String)} ({@code key}, {@code token}, {@code secret},
 * {@code password}, {@code credential}, {@code authorization}; not a count such as {@code max_tokens}), at any
 * depth.
 *
 * @param component a name for error messages, e.g. {@code member 'qwen'}
 * @param parameters the parameters
 * @param types the label set of the ensemble
 * @param pool the labelled demonstration pool of the ensemble
 * @param baseDirectory the directory relative file paths in the parameters are resolved against by
 *     {@link #path(String)} (the CLI passes its configuration file's folder); null for the current directory
 * @since 0.1
 */
public record ComponentConfig(String component, Map<String, Object> parameters, List<EntityType> types,
                              List<Demonstration> pool, Path baseDirectory) {

    /** Validates and copies the components. */
    public ComponentConfig {
        Objects.requireNonNull(component, "component");
        parameters = Map.copyOf(parameters);
        types = List.copyOf(types);
        pool = List.copyOf(pool);
    }

    /**
     * A configuration whose relative paths resolve against the current directory.
     *
     * @param component a name for error messages, e.g. {@code member 'qwen'}
     * @param parameters the parameters
     * @param types the label set of the ensemble
     * @param pool the labelled demonstration pool of the ensemble
     */
    public ComponentConfig(String component, Map<String, Object> parameters, List<EntityType> types,
                           List<Demonstration> pool) {
        this(component, parameters, types, pool, null);
    }

    /**
     * @param component a name for error messages
     * @param parameters the parameters
     * @return a configuration with no label set and no pool, relative paths resolving against the current
     *     directory
     */
    public static ComponentConfig of(String component, Map<String, Object> parameters) {
        return new ComponentConfig(component, parameters, List.of(), List.of());
    }

    /**
     * Applies one parameter to a component's builder, turning the builder's {@link IllegalArgumentException} into
     * a configuration problem that names the component and the parameter, so that every provider reports a bad
     * value the same way.
     *
     * @param parameter the parameter's name, for the message
     * @param setter what applies it, e.g. {@code () -> builder.maxTokens(n)}
     * @throws El4nerConfigurationException if the setter rejects the value
     * @since 0.1
     */
    public void apply(String parameter, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            throw new El4nerConfigurationException(component + ": parameter '" + parameter + "': " + e.getMessage(),
                    e);
        }
    }

    /**
     * A configuration for a component nested in this one (e.g. a retriever's encoder): same label set, pool and
     * base directory.
     *
     * @param component a name for error messages
     * @param parameters the nested component's parameters
     * @return the nested configuration
     */
    public ComponentConfig nested(String component, Map<String, Object> parameters) {
        return new ComponentConfig(component, parameters, types, pool, baseDirectory);
    }

    /**
     * A file or directory path parameter. A relative path is resolved against {@link #baseDirectory()} when
     * there is one (so that paths in a configuration file are relative to that file, like its other paths),
     * otherwise it is left relative to the current directory.
     *
     * @param key a parameter name
     * @return the path, if given
     * @throws El4nerConfigurationException if the value is not a string, is blank or is not a valid path
     */
    public Optional<Path> path(String key) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.get().isBlank()) {
            throw new El4nerConfigurationException(component + ": parameter '" + key + "' must be a file path, got \"\"");
        }
        Path p;
        try {
            p = Path.of(v.get());
        } catch (InvalidPathException e) {
            throw new El4nerConfigurationException(component + ": parameter '" + key + "' is not a valid path: "
                    + e.getMessage(), e);
        }
        return Optional.of(baseDirectory == null || p.isAbsolute() ? p : baseDirectory.resolve(p).normalize());
    }

    /**
     * @param key a parameter name
     * @return the path ({@link #path(String)})
     * @throws El4nerConfigurationException if it is missing, not a string, blank or not a valid path
     */
    public Path requirePath(String key) {
        return path(key).orElseThrow(() -> new El4nerConfigurationException(
                component + ": missing required parameter '" + key + "'"));
    }

    /**
     * @param key a parameter name
     * @return the value as a string, if given
     * @throws El4nerConfigurationException if the value is not a string
     */
    public Optional<String> string(String key) {
        Object v = parameters.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw wrongType(key, "a string", v);
        }
        return Optional.of(s);
    }

    /**
     * @param key a parameter name
     * @return the value as a string
     * @throws El4nerConfigurationException if it is missing or not a string
     */
    public String requireString(String key) {
        return string(key).orElseThrow(() -> new El4nerConfigurationException(
                component + ": missing required parameter '" + key + "'"));
    }

    /**
     * @param key a parameter name
     * @param defaultValue the value when absent
     * @return the value as an int
     * @throws El4nerConfigurationException if it is not an integer
     */
    public int integer(String key, int defaultValue) {
        Object v = parameters.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw wrongType(key, "an integer", v);
    }

    /**
     * @param key a parameter name
     * @param defaultValue the value when absent
     * @return the value as a double
     * @throws El4nerConfigurationException if it is not a number
     */
    public double decimal(String key, double defaultValue) {
        Object v = parameters.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(key, "a number", v);
    }

    /**
     * @param key a parameter name
     * @param defaultValue the value when absent
     * @return the value as a boolean
     * @throws El4nerConfigurationException if it is not a boolean
     */
    public boolean bool(String key, boolean defaultValue) {
        Object v = parameters.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "true or false", v);
    }

    /**
     * Rejects parameters this component does not know, so that a misspelt name is not silently ignored.
     *
     * @param known the parameter names the component reads
     * @throws El4nerConfigurationException naming every unknown parameter (one {@linkplain
     *     El4nerConfigurationException#problems() problem} each, in name order, with the closest known name when there
     *     is one) and the known ones
     */
    public void requireOnly(Set<String> known) {
        List<String> problems = new java.util.ArrayList<>();
        for (String k : new TreeMap<>(parameters).keySet()) {
            if (!known.contains(k)) {
                String suggestion = closest(k, known);
                problems.add(component + ": unknown parameter '" + k + "'; "
                        + (suggestion == null ? "" : "did you mean '" + suggestion + "'? ")
                        + "known parameters: " + new java.util.TreeSet<>(known));
            }
        }
        if (!problems.isEmpty()) {
            throw new El4nerConfigurationException(problems);
        }
    }

    /**
     * The accepted name closest to an unknown one, for a "did you mean" in an error message: equal but for case, at
     * most two edits away (one for names under four characters), or one that starts with it ({@code apiKey} for
     * {@code apiKeyEnv}). Ties go to the alphabetically first name. Providers may use it for their own names
     * (parameter values, modes).
     *
     * @param given the unknown name
     * @param known the accepted names
     * @return the suggestion, or empty when no name is close enough
     * @since 0.1
     */
    public static java.util.Optional<String> closestName(String given, java.util.Collection<String> known) {
        return java.util.Optional.ofNullable(closest(given, known));
    }

    static String closest(String given, java.util.Collection<String> known) {
        String g = given.toLowerCase(java.util.Locale.ROOT);
        int limit = g.length() >= 4 ? 2 : 1;
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (String k : new java.util.TreeSet<>(known)) {
            String lk = k.toLowerCase(java.util.Locale.ROOT);
            int d = editDistance(g, lk);
            int score = d <= limit ? d : g.length() >= 4 && lk.startsWith(g) ? limit + 1 : Integer.MAX_VALUE;
            if (score < bestScore) {
                bestScore = score;
                best = k;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private El4nerConfigurationException wrongType(String key, String expected, Object v) {
        String shown = isSecret(key) ? "(hidden)" : String.valueOf(v);
        return new El4nerConfigurationException(component + ": parameter '" + key + "' must be " + expected
                + ", got " + shown);
    }

    private static boolean isSecret(String key) {
        return Redaction.isSecretName(key);
    }

    /** Hides secret values at any depth: {@code headers: {Authorization: ...}} included. */
    private static String shown(String key, Object value) {
        if (isSecret(key)) {
            return "****";
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{");
            String sep = "";
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(sep).append(e.getKey()).append('=').append(shown(String.valueOf(e.getKey()), e.getValue()));
                sep = ", ";
            }
            return sb.append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            String sep = "";
            for (Object o : list) {
                sb.append(sep).append(shown("", o));
                sep = ", ";
            }
            return sb.append(']').toString();
        }
        return String.valueOf(value);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ComponentConfig[").append(component).append(", {");
        String sep = "";
        for (Map.Entry<String, Object> e : new TreeMap<>(parameters).entrySet()) {
            sb.append(sep).append(e.getKey()).append('=').append(shown(e.getKey(), e.getValue()));
            sep = ", ";
        }
        return sb.append("}, ").append(types.size()).append(" types, ").append(pool.size())
                .append(" demonstrations]").toString();
    }
}
