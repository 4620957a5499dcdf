package io.el4ner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.spi.ComponentConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Checks the parts of a JSON document against what they should be and collects every problem rather than stopping at
 * the first, each with its JSON path ({@code $.members[0].provider}) and what to do about it: unknown fields (with
 * the closest known name), wrong types, missing required fields and bad values. A getter returns the value, or null
 * when it is absent or has a problem, so that a reader goes on and finds the next one.
 *
 * <p>A problem names the JSON kind it found, never the value: a value may be a secret. Each problem is prefixed with
 * its source (the file, or a line of it), so that one run can report the problems of several files.
 */
final class JsonChecker {
    /** The most problems reported; more are counted in one last line. */
    static final int MAX_PROBLEMS = 25;
    private static final Pattern SIMPLE_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*");

    private final List<String> problems = new ArrayList<>();
    private String source;

    /** @param source what the problems are about (a file name), the prefix of each */
    JsonChecker(String source) {
        this.source = source;
    }

    /**
     * Runs a check with problems prefixed by another source (the file a configuration names, say), then goes back.
     *
     * @param other the other source's name
     * @param check the check
     */
    void withSource(String other, Runnable check) {
        String previous = source;
        source = other;
        try {
            check.run();
        } finally {
            source = previous;
        }
    }

    /** @param message a problem, with its path and what to do about it; the source is prefixed */
    void problem(String message) {
        problems.add(source + ": " + message);
    }

    /**
     * @param mask applied to every problem before it is shown (secrets)
     * @throws ConfigException with the first {@value #MAX_PROBLEMS} problems and a count of the others, if any
     */
    void throwIfAny(UnaryOperator<String> mask) {
        if (problems.isEmpty()) {
            return;
        }
        List<String> shown = new ArrayList<>(problems.subList(0, Math.min(MAX_PROBLEMS, problems.size())));
        if (problems.size() > MAX_PROBLEMS) {
            shown.add(source + ": " + (problems.size() - MAX_PROBLEMS) + " more problems not shown");
        }
        throw new ConfigException(shown.stream().map(mask).toList());
    }

    /** Reports each field of an object that is not one of the known ones, suggesting the closest known name. */
    void knownFields(JsonNode node, String path, List<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                String suggestion = closest(f, known);
                problem("unknown field '" + f + "' at " + path
                        + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)")
                        + "; known fields: " + String.join(", ", known));
            }
        }
    }

    /**
     * Reports each field given that belongs to another shape of the same object (a custom aggregator's
     * {@code provider} with the default one's {@code quorum}, say).
     *
     * @param fields the other shape's fields
     * @param what the shape given, e.g. {@code a custom aggregator ("provider")}
     * @param fix what to do instead
     */
    void rejectMix(JsonNode node, String path, List<String> fields, String what, String fix) {
        for (String f : fields) {
            if (node.has(f)) {
                problem(child(path, f) + " cannot be combined with " + what + " at " + path + "; " + fix);
            }
        }
    }

    /** @return whether the node is there (a JSON null is there) */
    static boolean present(JsonNode node) {
        return node != null && !node.isMissingNode();
    }

    /** @return whether the node is an object; if not, the problem is reported */
    boolean object(JsonNode node, String path, String expected) {
        if (node.isObject()) {
            return true;
        }
        wrongType(node, path, expected);
        return false;
    }

    /** @return whether the node is an array; if not, the problem is reported */
    boolean array(JsonNode node, String path, String expected) {
        if (node.isArray()) {
            return true;
        }
        wrongType(node, path, expected);
        return false;
    }

    /**
     * @param meaning what the field holds, for the message when it is missing
     * @return the string, or null when missing (reported) or not a string (reported)
     */
    String requiredString(JsonNode parent, String path, String field, String meaning) {
        JsonNode n = parent.get(field);
        if (!present(n)) {
            problem("missing required field '" + field + "' at " + path + "; add it: " + meaning);
            return null;
        }
        return string(n, child(path, field), false);
    }

    /** @return the string, or null when absent, not a string (reported) or blank while it must not be (reported) */
    String string(JsonNode node, String path, boolean nonBlank) {
        if (!present(node)) {
            return null;
        }
        if (!node.isTextual()) {
            wrongType(node, path, "a string");
            return null;
        }
        if (nonBlank && node.asText().isBlank()) {
            problem(path + " must not be blank");
            return null;
        }
        return node.asText();
    }

    /** @return the integer, or null when missing (reported), not an integer or below {@code min} (reported) */
    Integer requiredInteger(JsonNode parent, String path, String field, int min) {
        JsonNode n = parent.get(field);
        if (!present(n)) {
            problem("missing required field '" + field + "' at " + path + "; add an integer >= " + min);
            return null;
        }
        return integer(n, child(path, field), min);
    }

    /** @return the integer, or null when absent, not an integer or below {@code min} (reported) */
    Integer integer(JsonNode node, String path, int min) {
        if (!present(node)) {
            return null;
        }
        if (!node.isNumber() || !node.canConvertToExactIntegral() || !node.canConvertToInt()) {
            wrongType(node, path, "an integer >= " + min);
            return null;
        }
        if (node.intValue() < min) {
            problem(path + " must be an integer >= " + min + ", got " + node.intValue());
            return null;
        }
        return node.intValue();
    }

    /** @return the boolean, or null when absent or not a boolean (reported) */
    Boolean bool(JsonNode node, String path) {
        if (!present(node)) {
            return null;
        }
        if (!node.isBoolean()) {
            wrongType(node, path, "true or false");
            return null;
        }
        return node.booleanValue();
    }

    /**
     * JSON to String, Integer/Long/BigInteger, Double, Boolean, List, Map, unmodifiable; a null, anywhere, is reported
     * and left out.
     *
     * @return the value, or null for a JSON null
     */
    Object javaValue(JsonNode node, String path) {
        if (node.isNull()) {
            problem(path + " is null; parameters cannot be null: remove the field or give it a value");
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToInt() ? (Object) node.intValue()
                    : node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                Object v = javaValue(node.get(i), path + "[" + i + "]");
                if (v != null) {
                    list.add(v);
                }
            }
            return Collections.unmodifiableList(list);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            Object v = javaValue(e.getValue(), child(path, e.getKey()));
            if (v != null) {
                map.put(e.getKey(), v);
            }
        }
        return Collections.unmodifiableMap(map);
    }

    /** Reports a wrong type, naming the JSON kind found, never the value (it may be a secret). */
    void wrongType(JsonNode node, String path, String expected) {
        problem(path + " must be " + expected + ", got " + kind(node));
    }

    /** @return the JSON kind of a node, e.g. {@code an array}, {@code a decimal number} */
    static String kind(JsonNode node) {
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isIntegralNumber()) {
            return "an integer";
        }
        if (node.isNumber()) {
            return "a decimal number";
        }
        if (node.isNull()) {
            return "null";
        }
        return node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** @return the path of a field: {@code $.a.b}, or {@code $.a['b c']} for a name that is not simple */
    static String child(String path, String field) {
        return SIMPLE_NAME.matcher(field).matches() ? path + "." + field
                : path + "['" + field.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }

    /** The known name closest to an unknown one ({@link ComponentConfig#closestName}), or null. */
    static String closest(String given, List<String> known) {
        return ComponentConfig.closestName(given, known).orElse(null);
    }
}
