package io.el4ner.cli;

import static io.el4ner.cli.JsonChecker.child;
import static io.el4ner.cli.JsonChecker.present;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.el4ner.api.EntityType;
import io.el4ner.core.ValidationMode;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the JSON configuration file strictly: unknown fields, wrong types, missing required fields and impossible
 * values are all reported at once ({@link JsonChecker}), each with its JSON path and what to do about it. Parameter
 * values are never printed (they may be secrets); provider parameters are checked by the providers themselves.
 *
 * <p>What {@link io.el4ner.core.EnsembleNer.Builder#build()} checks of the configuration as a whole (at least one
 * entity type and one member, unique names, a reserved label) is left to it: the CLI prints its problems, prefixed
 * with the file, when the ensemble is built. What can be checked here only, with a JSON path, is checked here: the
 * document's shape, the values the builder's setters would reject, and each demonstration's offsets and type (it is
 * then left out, so {@code build()} does not report it twice).
 */
final class ConfigLoader {
    /** Top-level fields, in documentation order. */
    static final List<String> TOP_LEVEL = List.of("entityTypes", "members", "demonstrations", "retriever",
            "aggregator", "validation", "timeoutSeconds", "maxConcurrentCalls", "nestedEntities");
    private static final List<String> ENTITY_TYPE = List.of("name", "description");
    private static final List<String> MEMBER = List.of("provider", "name", "parameters");
    private static final List<String> COMPONENT = List.of("provider", "parameters");
    private static final List<String> VOTING = List.of("quorum", "weights");
    private static final List<String> SELF_VALIDATION = List.of("mode", "verifier", "skipWhenUnanimous");
    private static final List<String> CUSTOM_VALIDATION = List.of("provider", "parameters", "skipWhenUnanimous");
    private static final double MAX_TIMEOUT_SECONDS = 86_400;
    /** Jackson quotes an unrecognised token, which may be a secret typed without quotes. */
    private static final Pattern UNRECOGNIZED_TOKEN = Pattern.compile("(?i)(unrecognized token ')([^']*)(')");
    private static final Pattern SOURCE_REF = Pattern.compile("\\s*\\(?(?:start marker )?at \\[Source:[^]]*]\\)?");

    static final JsonMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final JsonChecker check;

    private ConfigLoader(JsonChecker check) {
        this.check = check;
    }

    /**
     * @param file the configuration file
     * @return the checked configuration
     * @throws ConfigException listing every problem found
     */
    static CliConfig load(Path file) {
        String shown = file.toString();
        JsonNode root = readJson(file, shown, "configuration");
        JsonChecker check = new JsonChecker(shown);
        Path base = file.toAbsolutePath().getParent();
        CliConfig config = new ConfigLoader(check).config(root, base == null ? Path.of("") : base, Secrets.in(root));
        check.throwIfAny(config.secrets()::mask);
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
            check.problem("the configuration must be a JSON object {\"entityTypes\": [...], \"members\": [...], "
                    + "...}, got " + JsonChecker.kind(root));
            return empty(secrets);
        }
        check.knownFields(root, "$", TOP_LEVEL);
        List<EntityType> types = entityTypes(root);
        List<CliConfig.Component> members = members(root);
        DemonstrationReader.Section demos = new DemonstrationReader(check, types).read(root.get("demonstrations"),
                base);

        CliConfig.Component retriever = null;
        JsonNode r = root.get("retriever");
        if (present(r) && check.object(r, "$.retriever", "an object {\"provider\", \"parameters\"}")) {
            retriever = component(r, "$.retriever", COMPONENT);
        }

        CliConfig.Component aggregator = null;
        Integer quorum = null;
        Map<String, Double> weights = null;
        JsonNode a = root.get("aggregator");
        if (present(a) && check.object(a, "$.aggregator",
                "an object {\"quorum\", \"weights\"} or {\"provider\", \"parameters\"}")) {
            if (a.has("provider")) {
                check.rejectMix(a, "$.aggregator", VOTING, "a custom aggregator (\"provider\")",
                        "pass them in \"parameters\" instead");
                aggregator = component(a, "$.aggregator", COMPONENT);
            } else {
                check.knownFields(a, "$.aggregator", VOTING);
                quorum = check.integer(a.get("quorum"), "$.aggregator.quorum", 1);
                weights = weights(a.get("weights"), "$.aggregator.weights");
            }
        }

        CliConfig.Component validator = null;
        ValidationMode mode = null;
        String verifier = null;
        Boolean skip = null;
        JsonNode v = root.get("validation");
        if (present(v) && check.object(v, "$.validation",
                "an object {\"mode\", \"verifier\", \"skipWhenUnanimous\"} or {\"provider\", \"parameters\"}")) {
            skip = check.bool(v.get("skipWhenUnanimous"), "$.validation.skipWhenUnanimous");
            if (v.has("provider")) {
                check.rejectMix(v, "$.validation", List.of("mode", "verifier"), "a custom validator (\"provider\")",
                        "pass them in \"parameters\" instead");
                validator = component(v, "$.validation", CUSTOM_VALIDATION);
            } else {
                check.knownFields(v, "$.validation", SELF_VALIDATION);
                mode = validationMode(v.get("mode"));
                verifier = check.string(v.get("verifier"), "$.validation.verifier", true);
                if (verifier != null && mode != null && mode != ValidationMode.SINGLE) {
                    check.problem("$.validation.verifier is only used with \"mode\": \"single\", but mode is \""
                            + mode.name().toLowerCase(Locale.ROOT) + "\"; remove the verifier or change the mode");
                }
            }
        }

        Duration timeout = null;
        JsonNode t = root.get("timeoutSeconds");
        if (present(t)) {
            if (!t.isNumber()) {
                check.wrongType(t, "$.timeoutSeconds", "a number of seconds > 0");
            } else if (!(t.doubleValue() > 0) || t.doubleValue() > MAX_TIMEOUT_SECONDS
                    || Math.round(t.doubleValue() * 1000) < 1) {
                check.problem("$.timeoutSeconds must be between 0.001 and " + (long) MAX_TIMEOUT_SECONDS
                        + " seconds, got " + t.asText());
            } else {
                timeout = Duration.ofMillis(Math.round(t.doubleValue() * 1000));
            }
        }
        Integer maxCalls = check.integer(root.get("maxConcurrentCalls"), "$.maxConcurrentCalls", 1);
        Boolean nested = check.bool(root.get("nestedEntities"), "$.nestedEntities");

        return new CliConfig(types, members, demos.pool(), demos.k(), retriever, aggregator, quorum, weights,
                validator, mode, verifier, skip, timeout, maxCalls, nested, secrets, base);
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
            check.problem("missing required field 'entityTypes' at $; add " + expected + ", one per label");
            return out;
        }
        if (!check.array(n, "$.entityTypes", expected)) {
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            String path = "$.entityTypes[" + i + "]";
            JsonNode item = n.get(i);
            if (!check.object(item, path, "an object {\"name\": ..., \"description\": ...}")) {
                continue;
            }
            check.knownFields(item, path, ENTITY_TYPE);
            String name = check.requiredString(item, path, "name", "the label emitted in results, e.g. \"person\"");
            String description = check.string(item.get("description"), path + ".description", false);
            if (name == null) {
                continue;
            }
            if (name.isBlank() || !name.strip().equals(name) || name.contains("\n") || name.contains("\r")) {
                check.problem(path + ".name must be non-blank, without surrounding spaces or line breaks, got \""
                        + name + "\"");
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
            check.problem("missing required field 'members' at $; add " + expected + ", one per model");
            return out;
        }
        if (!check.array(n, "$.members", expected)) {
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            String path = "$.members[" + i + "]";
            JsonNode item = n.get(i);
            if (!check.object(item, path, "an object {\"provider\": ..., \"name\": ..., \"parameters\": {...}}")) {
                continue;
            }
            check.knownFields(item, path, MEMBER);
            String provider = providerName(item, path);
            String name = check.string(item.get("name"), path + ".name", true);
            Map<String, Object> parameters = parameters(item.get("parameters"), path + ".parameters");
            if (name != null) {
                Object given = parameters.get("name");
                if (given != null && !name.equals(given)) {
                    check.problem(path + " gives the member's name twice, differently: \"name\" and "
                            + "\"parameters.name\"; keep one");
                }
                Map<String, Object> withName = new LinkedHashMap<>(parameters);
                withName.put("name", name);
                parameters = Collections.unmodifiableMap(withName);
            }
            if (provider != null) {
                out.add(new CliConfig.Component(provider, parameters));
            }
        }
        return out;
    }

    private CliConfig.Component component(JsonNode node, String path, List<String> known) {
        check.knownFields(node, path, known);
        String provider = providerName(node, path);
        Map<String, Object> parameters = parameters(node.get("parameters"), path + ".parameters");
        return provider == null ? null : new CliConfig.Component(provider, parameters);
    }

    private String providerName(JsonNode node, String path) {
        String provider = check.requiredString(node, path, "provider", "the name of a provider on the class path, "
                + "e.g. \"openai-compatible\"");
        if (provider != null && provider.isBlank()) {
            check.problem(path + ".provider is blank; name a provider on the class path");
            return null;
        }
        return provider;
    }

    private Map<String, Object> parameters(JsonNode node, String path) {
        if (!present(node)) {
            return Map.of();
        }
        if (!check.object(node, path, "an object of provider parameters")) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) check.javaValue(node, path);
        return map == null ? Map.of() : map;
    }

    private Map<String, Double> weights(JsonNode node, String path) {
        if (!present(node) || !check.object(node, path, "an object mapping member names to numbers")) {
            return null;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String p = child(path, e.getKey());
            if (!e.getValue().isNumber()) {
                check.wrongType(e.getValue(), p, "a number >= 0");
            } else if (!(e.getValue().doubleValue() >= 0) || Double.isInfinite(e.getValue().doubleValue())) {
                check.problem(p + " must be a finite number >= 0, got " + e.getValue().asText());
            } else {
                out.put(e.getKey(), e.getValue().doubleValue());
            }
        }
        return out;
    }

    private ValidationMode validationMode(JsonNode node) {
        String m = check.string(node, "$.validation.mode", false);
        if (m == null) {
            return null;
        }
        try {
            return ValidationMode.valueOf(m.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            check.problem("$.validation.mode must be one of \"single\", \"majority\", \"unanimous\", \"none\"; got \""
                    + m + "\"");
            return null;
        }
    }
}
