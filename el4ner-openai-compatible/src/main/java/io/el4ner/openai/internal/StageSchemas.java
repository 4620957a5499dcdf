package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The JSON schema of each stage's answer, matching the shapes of el4ner's default prompts: extraction
 * {@code {"entities": [string]}}, classification {@code {"labels": [{"span", "type"}]}} with the type one of the
 * label names or {@code NONE}, validation {@code {"verdicts": [{"span", "type", "valid": boolean}]}}. The schemas
 * keep to the subset that OpenAI's strict mode accepts (every property required, no additional properties,
 * {@code enum}), which vLLM, llama.cpp and Ollama also accept. Span strings are constrained to the spans asked
 * about, when there are any.
 */
public final class StageSchemas {
    /** The label of a span that is not an entity of any type. */
    public static final String NONE = "NONE";

    private StageSchemas() {
    }

    /**
     * @param stage a stage
     * @return the top-level key of its answer
     */
    public static String key(Stage stage) {
        return switch (stage) {
            case PRE_EXTRACTION, EXTRACTION -> "entities";
            case CLASSIFICATION -> "labels";
            case VALIDATION -> "verdicts";
        };
    }

    /**
     * @param stage a stage
     * @return a schema name ({@code [a-zA-Z0-9_-]}, at most 64 characters), e.g. {@code el4ner_extraction}
     */
    public static String name(Stage stage) {
        return "el4ner_" + stage.name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param context what the request is about
     * @return the JSON schema of the stage's answer
     */
    public static ObjectNode schema(TaskContext context) {
        ObjectNode item;
        switch (context.stage()) {
            case PRE_EXTRACTION, EXTRACTION -> {
                return wrapper("entities", Json.MAPPER.createObjectNode().put("type", "string"));
            }
            case CLASSIFICATION -> {
                item = object();
                ObjectNode props = (ObjectNode) item.get("properties");
                props.set("span", stringEnum(distinct(context.spans())));
                Set<String> labels = typeNames(context.types());
                labels.add(NONE);
                props.set("type", stringEnum(labels));
                required(item, "span", "type");
            }
            default -> {
                item = object();
                ObjectNode props = (ObjectNode) item.get("properties");
                props.set("span", stringEnum(distinct(context.typedSpans().stream().map(TypedSpan::text).toList())));
                props.set("type", stringEnum(typeNames(context.types())));
                props.set("valid", Json.MAPPER.createObjectNode().put("type", "boolean"));
                required(item, "span", "type", "valid");
            }
        }
        return wrapper(key(context.stage()), item);
    }

    /**
     * Whether an answer is readable as the stage's JSON (or, for a choice, as {@code true}/{@code false}). A light
     * check, not the core's lenient parser: it decides whether to re-ask, nothing more.
     *
     * @param stage the stage
     * @param text the answer
     * @param choice whether a bare true/false was asked for
     * @return whether the answer has the expected shape
     */
    public static boolean acceptable(Stage stage, String text, boolean choice) {
        String t = stripFence(text.strip());
        if (choice) {
            String v = t.replace("\"", "").strip().toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return true;
            }
        }
        try {
            JsonNode node = Json.MAPPER.readTree(t);
            return node != null && node.isObject() && node.path(key(stage)).isArray();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @param stage the stage
     * @param choice whether a bare true/false was asked for
     * @return the short correction sent with a re-ask
     */
    public static String correction(Stage stage, boolean choice) {
        String shape = choice ? "true or false" : switch (stage) {
            case PRE_EXTRACTION, EXTRACTION -> "{\"entities\": [\"span\", ...]}";
            case CLASSIFICATION -> "{\"labels\": [{\"span\": \"...\", \"type\": \"TYPE or NONE\"}, ...]}";
            case VALIDATION -> "{\"verdicts\": [{\"span\": \"...\", \"type\": \"...\", \"valid\": true or false}, ...]}";
        };
        return "Your previous answer could not be read. Answer again with " + (choice ? "" : "JSON ")
                + "only, exactly in this form: " + shape;
    }

    private static String stripFence(String t) {
        if (t.startsWith("```")) {
            int nl = t.indexOf('\n');
            int end = t.lastIndexOf("```");
            if (nl > 0 && end > nl) {
                return t.substring(nl + 1, end).strip();
            }
        }
        return t;
    }

    private static ObjectNode wrapper(String key, ObjectNode items) {
        ObjectNode array = Json.MAPPER.createObjectNode().put("type", "array");
        array.set("items", items);
        ObjectNode root = object();
        ((ObjectNode) root.get("properties")).set(key, array);
        required(root, key);
        return root;
    }

    private static ObjectNode object() {
        ObjectNode o = Json.MAPPER.createObjectNode().put("type", "object");
        o.set("properties", Json.MAPPER.createObjectNode());
        return o;
    }

    private static void required(ObjectNode o, String... names) {
        ArrayNode required = o.putArray("required");
        for (String n : names) {
            required.add(n);
        }
        o.put("additionalProperties", false);
    }

    private static ObjectNode stringEnum(Set<String> values) {
        ObjectNode s = Json.MAPPER.createObjectNode().put("type", "string");
        if (!values.isEmpty()) {
            ArrayNode e = s.putArray("enum");
            values.forEach(e::add);
        }
        return s;
    }

    private static Set<String> distinct(List<String> values) {
        return new LinkedHashSet<>(values);
    }

    private static Set<String> typeNames(List<EntityType> types) {
        Set<String> names = new LinkedHashSet<>();
        types.forEach(t -> names.add(t.name()));
        return names;
    }
}
