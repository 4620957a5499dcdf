package io.el4ner.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.el4ner.api.Demonstration;
import io.el4ner.api.EntityType;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.Provenance;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.core.ValidationMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the JSON configuration file strictly: unknown fields, wrong types, missing required fields and impossible
 * values are all reported at once, each with its JSON path and what to do about it. Parameter values are never
 * printed (they may be secrets); provider parameters are checked by the providers themselves.
 */
final class ConfigLoader {
    /** Top-level fields, in documentation order. */
    static final List<String> TOP_LEVEL = List.of("entityTypes", "members", "demonstrations", "retriever",
            "aggregator", "validation", "timeoutSeconds", "maxConcurrentCalls", "nestedEntities");
    private static final List<String> ENTITY_TYPE = List.of("name", "description");
    private static final List<String> MEMBER = List.of("provider", "name", "parameters");
    private static final List<String> DEMONSTRATIONS = List.of("k", "pool", "file");
    private static final List<String> DEMONSTRATION = List.of("text", "entities");
    private static final List<String> SPAN = List.of("start", "end", "type", "text");
    private static final List<String> COMPONENT = List.of("provider", "parameters");
    private static final List<String> VOTING = List.of("quorum", "weights");
    private static final List<String> SELF_VALIDATION = List.of("mode", "verifier", "skipWhenUnanimous");
    private static final List<String> CUSTOM_VALIDATION = List.of("provider", "parameters", "skipWhenUnanimous");
    private static final double MAX_TIMEOUT_SECONDS = 86_400;
    private static final int MAX_PROBLEMS = 25;
    private static final Pattern SIMPLE_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*");
    /** Jackson quotes an unrecognised token, which may be a secret typed without quotes. */
    private static final Pattern UNRECOGNIZED_TOKEN = Pattern.compile("(?i)(unrecognized token ')([^']*)(')");
    private static final Pattern SOURCE_REF = Pattern.compile("\\s*\\(?(?:start marker )?at \\[Source:[^]]*]\\)?");

    static final JsonMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final List<String> problems = new ArrayList<>();
    private String source;

    private ConfigLoader(String source) {
        this.source = source;
    }

    /**
     * @param file the configuration file
     * @return the checked configuration
     * @throws ConfigException listing every problem found
     */
    static CliConfig load(Path file) {
        String shown = file.toString();
        JsonNode root = readJson(file, shown, "configuration");
        ConfigLoader loader = new ConfigLoader(shown);
        Path base = file.toAbsolutePath().getParent();
        CliConfig config = loader.config(root, base == null ? Path.of("") : base, Secrets.in(root));
        if (!loader.problems.isEmpty()) {
            List<String> shownProblems = new ArrayList<>(loader.problems.subList(0,
                    Math.min(MAX_PROBLEMS, loader.problems.size())));
            if (loader.problems.size() > MAX_PROBLEMS) {
                shownProblems.add(shown + ": " + (loader.problems.size() - MAX_PROBLEMS) + " more problems not shown");
            }
            throw new ConfigException(shownProblems.stream().map(config.secrets()::mask).toList());
        }
        return config;
    }

    private static JsonNode readJson(Path file, String shown, String what) {
        byte[] bytes = readFile(file, shown, what);
        try {
            JsonNode root = STRICT.readTree(bytes);
            if (root == null || root.isMissingNode()) {
                throw new ConfigException(shown + ": the file is empty; write the " + what
                        + " as a JSON object (see 'el4ner help config')");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ConfigException(shown + ": not valid JSON: " + describe(e));
        } catch (IOException e) {
            throw new ConfigException(shown + ": cannot read the " + what + ": " + e.getMessage());
        }
    }

    static byte[] readFile(Path file, String shown, String what) {
        return readFile(file, shown, what, "the current folder " + Path.of("").toAbsolutePath());
    }

    /** @param relativeTo where relative paths are resolved, for the message of a file that is not found */
    static byte[] readFile(Path file, String shown, String what, String relativeTo) {
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException(shown + ": is a directory; pass the " + what + " file itself");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(shown + ": " + what + " file not found; check the path (relative paths are "
                    + "resolved against " + relativeTo + ")");
        } catch (AccessDeniedException e) {
            throw new ConfigException(shown + ": cannot read the " + what + " file: permission denied");
        } catch (IOException e) {
            throw new ConfigException(shown + ": cannot read the " + what + " file: " + e);
        }
    }

    /** Jackson's message without the source reference, with long quoted tokens hidden, and the line and column. */
    static String describe(JsonProcessingException e) {
        String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        msg = SOURCE_REF.matcher(msg).replaceAll("");
        msg = UNRECOGNIZED_TOKEN.matcher(msg).replaceAll(m -> Matcher.quoteReplacement(
                m.group(1) + (m.group(2).length() > 3 ? m.group(2).substring(0, 1) + "…" : m.group(2)) + m.group(3)));
        msg = msg.replace('\n', ' ').strip();
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) {
            msg += " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        }
        return msg;
    }

    // ---------------------------------------------------------------------------------------------------------

    private CliConfig config(JsonNode root, Path base, Secrets secrets) {
        if (!root.isObject()) {
            problem("the configuration must be a JSON object {\"entityTypes\": [...], \"members\": [...], ...}, "
                    + "got " + kind(root));
            return empty(secrets);
        }
        knownFields(root, "$", TOP_LEVEL);
        List<EntityType> types = entityTypes(root);
        List<CliConfig.Component> members = members(root);

        List<Demonstration> pool = new ArrayList<>();
        Integer k = null;
        JsonNode demos = root.get("demonstrations");
        if (present(demos) && object(demos, "$.demonstrations", "an object {\"k\", \"pool\", \"file\"}")) {
            knownFields(demos, "$.demonstrations", DEMONSTRATIONS);
            k = integer(demos.get("k"), "$.demonstrations.k", 0);
            JsonNode inline = demos.get("pool");
            if (present(inline) && array(inline, "$.demonstrations.pool", "an array of {\"text\", \"entities\"} objects")) {
                for (int i = 0; i < inline.size(); i++) {
                    demonstration(inline.get(i), "$.demonstrations.pool[" + i + "]", types, pool);
                }
            }
            String file = string(demos.get("file"), "$.demonstrations.file", true);
            if (file != null) {
                demonstrationFile(file, base, types, pool);
            }
        }

        CliConfig.Component retriever = null;
        JsonNode r = root.get("retriever");
        if (present(r) && object(r, "$.retriever", "an object {\"provider\", \"parameters\"}")) {
            retriever = component(r, "$.retriever", COMPONENT);
        }

        CliConfig.Component aggregator = null;
        Integer quorum = null;
        Map<String, Double> weights = null;
        JsonNode a = root.get("aggregator");
        if (present(a) && object(a, "$.aggregator",
                "an object {\"quorum\", \"weights\"} or {\"provider\", \"parameters\"}")) {
            if (a.has("provider")) {
                rejectMix(a, "$.aggregator", VOTING, "a custom aggregator (\"provider\")",
                        "pass them in \"parameters\" instead");
                aggregator = component(a, "$.aggregator", COMPONENT);
            } else {
                knownFields(a, "$.aggregator", VOTING);
                quorum = integer(a.get("quorum"), "$.aggregator.quorum", 1);
                weights = weights(a.get("weights"), "$.aggregator.weights");
            }
        }

        CliConfig.Component validator = null;
        ValidationMode mode = null;
        String verifier = null;
        Boolean skip = null;
        JsonNode v = root.get("validation");
        if (present(v) && object(v, "$.validation",
                "an object {\"mode\", \"verifier\", \"skipWhenUnanimous\"} or {\"provider\", \"parameters\"}")) {
            skip = bool(v.get("skipWhenUnanimous"), "$.validation.skipWhenUnanimous");
            if (v.has("provider")) {
                rejectMix(v, "$.validation", List.of("mode", "verifier"), "a custom validator (\"provider\")",
                        "pass them in \"parameters\" instead");
                validator = component(v, "$.validation", CUSTOM_VALIDATION);
            } else {
                knownFields(v, "$.validation", SELF_VALIDATION);
                mode = validationMode(v.get("mode"));
                verifier = string(v.get("verifier"), "$.validation.verifier", true);
                if (verifier != null && mode != null && mode != ValidationMode.SINGLE) {
                    problem("$.validation.verifier is only used with \"mode\": \"single\", but mode is \""
                            + mode.name().toLowerCase(Locale.ROOT) + "\"; remove the verifier or change the mode");
                }
            }
        }

        Duration timeout = null;
        JsonNode t = root.get("timeoutSeconds");
        if (present(t)) {
            if (!t.isNumber()) {
                wrongType(t, "$.timeoutSeconds", "a number of seconds > 0");
            } else if (!(t.doubleValue() > 0) || t.doubleValue() > MAX_TIMEOUT_SECONDS
                    || Math.round(t.doubleValue() * 1000) < 1) {
                problem("$.timeoutSeconds must be between 0.001 and " + (long) MAX_TIMEOUT_SECONDS + " seconds, got "
                        + t.asText());
            } else {
                timeout = Duration.ofMillis(Math.round(t.doubleValue() * 1000));
            }
        }
        Integer maxCalls = integer(root.get("maxConcurrentCalls"), "$.maxConcurrentCalls", 1);
        Boolean nested = bool(root.get("nestedEntities"), "$.nestedEntities");

        return new CliConfig(types, members, pool, k, retriever, aggregator, quorum, weights, validator, mode,
                verifier, skip, timeout, maxCalls, nested, secrets, base);
    }

    private static CliConfig empty(Secrets secrets) {
        return new CliConfig(List.of(), List.of(), List.of(), null, null, null, null, null, null, null, null, null,
                null, null, null, secrets, null);
    }

    private List<EntityType> entityTypes(JsonNode root) {
        List<EntityType> out = new ArrayList<>();
        JsonNode n = root.get("entityTypes");
        String expected = "an array of {\"name\": ..., \"description\": ...} objects";
        if (!present(n)) {
            problem("missing required field 'entityTypes' at $; add " + expected + ", one per label");
            return out;
        }
        if (!array(n, "$.entityTypes", expected)) {
            return out;
        }
        if (n.isEmpty()) {
            problem("$.entityTypes is empty; add at least one {\"name\": ..., \"description\": ...}");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            String path = "$.entityTypes[" + i + "]";
            JsonNode item = n.get(i);
            if (!object(item, path, "an object {\"name\": ..., \"description\": ...}")) {
                continue;
            }
            knownFields(item, path, ENTITY_TYPE);
            String name = requiredString(item, path, "name", "the label emitted in results, e.g. \"person\"");
            String description = string(item.get("description"), path + ".description", false);
            if (name == null) {
                continue;
            }
            if (name.isBlank() || !name.strip().equals(name) || name.contains("\n") || name.contains("\r")) {
                problem(path + ".name must be non-blank, without surrounding spaces or line breaks, got \""
                        + name + "\"");
            } else if (Provenance.NOT_AN_ENTITY.equalsIgnoreCase(name)) {
                problem(path + ".name \"" + name + "\" is reserved for 'not an entity'; choose another label");
            } else if (!seen.add(name)) {
                problem(path + ".name \"" + name + "\" is given twice; entity type names must be unique");
            } else {
                out.add(new EntityType(name, description == null ? "" : description));
            }
        }
        return out;
    }

    private List<CliConfig.Component> members(JsonNode root) {
        List<CliConfig.Component> out = new ArrayList<>();
        JsonNode n = root.get("members");
        String expected = "an array of {\"provider\": ..., \"name\": ..., \"parameters\": {...}} objects";
        if (!present(n)) {
            problem("missing required field 'members' at $; add " + expected + ", one per model");
            return out;
        }
        if (!array(n, "$.members", expected)) {
            return out;
        }
        if (n.isEmpty()) {
            problem("$.members is empty; add at least one {\"provider\": ..., \"name\": ..., \"parameters\": {...}}");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            String path = "$.members[" + i + "]";
            JsonNode item = n.get(i);
            if (!object(item, path, "an object {\"provider\": ..., \"name\": ..., \"parameters\": {...}}")) {
                continue;
            }
            knownFields(item, path, MEMBER);
            String provider = providerName(item, path);
            String name = string(item.get("name"), path + ".name", true);
            Map<String, Object> parameters = parameters(item.get("parameters"), path + ".parameters");
            if (name != null) {
                Object given = parameters.get("name");
                if (given != null && !name.equals(given)) {
                    problem(path + " gives the member's name twice, differently: \"name\" and \"parameters.name\"; "
                            + "keep one");
                }
                Map<String, Object> withName = new LinkedHashMap<>(parameters);
                withName.put("name", name);
                parameters = Collections.unmodifiableMap(withName);
                if (!names.add(name)) {
                    problem(path + ".name \"" + name + "\" is used by another member; member names must be unique");
                }
            }
            if (provider != null) {
                out.add(new CliConfig.Component(provider, parameters));
            }
        }
        return out;
    }

    private void demonstration(JsonNode item, String path, List<EntityType> types, List<Demonstration> out) {
        if (!object(item, path, "an object {\"text\": ..., \"entities\": [{\"start\", \"end\", \"type\"}]}")) {
            return;
        }
        knownFields(item, path, DEMONSTRATION);
        String text = requiredString(item, path, "text", "the labelled sentence");
        JsonNode entities = item.get("entities");
        List<LabeledSpan> spans = new ArrayList<>();
        boolean ok = text != null;
        if (present(entities) && array(entities, path + ".entities",
                "an array of {\"start\", \"end\", \"type\"} objects")) {
            Set<String> typeNames = new HashSet<>();
            types.forEach(t -> typeNames.add(t.name()));
            for (int i = 0; i < entities.size(); i++) {
                String p = path + ".entities[" + i + "]";
                JsonNode s = entities.get(i);
                if (!object(s, p, "an object {\"start\", \"end\", \"type\"}")) {
                    ok = false;
                    continue;
                }
                knownFields(s, p, SPAN);
                Integer start = requiredInteger(s, p, "start", 0);
                Integer end = requiredInteger(s, p, "end", 0);
                String type = requiredString(s, p, "type", "one of the entityTypes' names");
                String covered = string(s.get("text"), p + ".text", false);
                if (start == null || end == null || type == null || text == null) {
                    ok = false;
                    continue;
                }
                if (end <= start || end > text.length()) {
                    problem(p + " spans [" + start + ", " + end + "), which is not inside the text of length "
                            + text.length() + "; offsets are UTF-16 indices with start < end <= length");
                    ok = false;
                } else if (covered != null && !covered.equals(text.substring(start, end))) {
                    problem(p + ".text is \"" + covered + "\" but [" + start + ", " + end + ") covers \""
                            + text.substring(start, end) + "\"; fix the offsets or the text");
                    ok = false;
                } else if (!types.isEmpty() && !typeNames.contains(type)) {
                    problem(p + ".type \"" + type + "\" is not one of the entityTypes " + typeNames.stream()
                            .sorted().toList() + "; add it to entityTypes or fix the type");
                    ok = false;
                } else {
                    spans.add(new LabeledSpan(start, end, type));
                }
            }
        }
        if (ok) {
            out.add(new Demonstration(text, spans));
        }
    }

    private void demonstrationFile(String name, Path base, List<EntityType> types, List<Demonstration> out) {
        Path file;
        try {
            file = base.resolve(name);
        } catch (InvalidPathException e) {
            problem("$.demonstrations.file is not a valid path: " + e.getReason());
            return;
        }
        byte[] bytes;
        try {
            bytes = readFile(file, name, "demonstration", "the configuration file's folder " + base);
        } catch (ConfigException e) {
            problem("$.demonstrations.file: " + e.getMessage());
            return;
        }
        String previous = source;
        source = name;
        try {
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\\R", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = i == 0 && lines[i].startsWith("\uFEFF") ? lines[i].substring(1) : lines[i];
                if (line.isBlank()) {
                    continue;
                }
                String where = "line " + (i + 1);
                JsonNode node;
                try {
                    node = STRICT.readTree(line);
                } catch (JsonProcessingException e) {
                    problem(where + ": not valid JSON: " + describe(e).replaceAll(" \\(line 1, column", " (column"));
                    continue;
                }
                demonstration(node, where + ": $", types, out);
            }
        } finally {
            source = previous;
        }
    }

    private CliConfig.Component component(JsonNode node, String path, List<String> known) {
        knownFields(node, path, known);
        String provider = providerName(node, path);
        Map<String, Object> parameters = parameters(node.get("parameters"), path + ".parameters");
        return provider == null ? null : new CliConfig.Component(provider, parameters);
    }

    private String providerName(JsonNode node, String path) {
        String provider = requiredString(node, path, "provider", "the name of a provider on the class path, e.g. "
                + "\"openai-compatible\"");
        if (provider != null && provider.isBlank()) {
            problem(path + ".provider is blank; name a provider on the class path");
            return null;
        }
        return provider;
    }

    private Map<String, Object> parameters(JsonNode node, String path) {
        if (!present(node)) {
            return Map.of();
        }
        if (!object(node, path, "an object of provider parameters")) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) toJava(node, path);
        return map == null ? Map.of() : map;
    }

    /** JSON to String, Integer/Long/BigInteger, Double, Boolean, List, Map; null (not allowed) is reported. */
    private Object toJava(JsonNode node, String path) {
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
                Object v = toJava(node.get(i), path + "[" + i + "]");
                if (v != null) {
                    list.add(v);
                }
            }
            return Collections.unmodifiableList(list);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            Object v = toJava(e.getValue(), child(path, e.getKey()));
            if (v != null) {
                map.put(e.getKey(), v);
            }
        }
        return Collections.unmodifiableMap(map);
    }

    private Map<String, Double> weights(JsonNode node, String path) {
        if (!present(node) || !object(node, path, "an object mapping member names to numbers")) {
            return null;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String p = child(path, e.getKey());
            if (!e.getValue().isNumber()) {
                wrongType(e.getValue(), p, "a number >= 0");
            } else if (!(e.getValue().doubleValue() >= 0) || Double.isInfinite(e.getValue().doubleValue())) {
                problem(p + " must be a finite number >= 0, got " + e.getValue().asText());
            } else {
                out.put(e.getKey(), e.getValue().doubleValue());
            }
        }
        return out;
    }

    private ValidationMode validationMode(JsonNode node) {
        String m = string(node, "$.validation.mode", false);
        if (m == null) {
            return null;
        }
        try {
            return ValidationMode.valueOf(m.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problem("$.validation.mode must be one of \"single\", \"majority\", \"unanimous\", \"none\"; got \""
                    + m + "\"");
            return null;
        }
    }

    private void rejectMix(JsonNode node, String path, List<String> fields, String what, String fix) {
        for (String f : fields) {
            if (node.has(f)) {
                problem(child(path, f) + " cannot be combined with " + what + " at " + path + "; " + fix);
            }
        }
    }

    // --- generic checks -----------------------------------------------------------------------------------------

    private void knownFields(JsonNode node, String path, List<String> known) {
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

    private static boolean present(JsonNode node) {
        return node != null && !node.isMissingNode();
    }

    private boolean object(JsonNode node, String path, String expected) {
        if (node.isObject()) {
            return true;
        }
        wrongType(node, path, expected);
        return false;
    }

    private boolean array(JsonNode node, String path, String expected) {
        if (node.isArray()) {
            return true;
        }
        wrongType(node, path, expected);
        return false;
    }

    private String requiredString(JsonNode parent, String path, String field, String meaning) {
        JsonNode n = parent.get(field);
        if (!present(n)) {
            problem("missing required field '" + field + "' at " + path + "; add it: " + meaning);
            return null;
        }
        return string(n, child(path, field), false);
    }

    private String string(JsonNode node, String path, boolean nonBlank) {
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

    private Integer requiredInteger(JsonNode parent, String path, String field, int min) {
        JsonNode n = parent.get(field);
        if (!present(n)) {
            problem("missing required field '" + field + "' at " + path + "; add an integer >= " + min);
            return null;
        }
        return integer(n, child(path, field), min);
    }

    private Integer integer(JsonNode node, String path, int min) {
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

    private Boolean bool(JsonNode node, String path) {
        if (!present(node)) {
            return null;
        }
        if (!node.isBoolean()) {
            wrongType(node, path, "true or false");
            return null;
        }
        return node.booleanValue();
    }

    /** Names the JSON kind found, never the value (it may be a secret). */
    private void wrongType(JsonNode node, String path, String expected) {
        problem(path + " must be " + expected + ", got " + kind(node));
    }

    private static String kind(JsonNode node) {
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

    private void problem(String message) {
        problems.add(source + ": " + message);
    }

    static String child(String path, String field) {
        return SIMPLE_NAME.matcher(field).matches() ? path + "." + field
                : path + "['" + field.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }

    /** The known name closest to an unknown one ({@link ComponentConfig#closestName}), or null. */
    static String closest(String given, List<String> known) {
        return ComponentConfig.closestName(given, known).orElse(null);
    }
}
