package io.el4ner.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.Entity;
import io.el4ner.api.NerResult;
import io.el4ner.api.Provenance;
import io.el4ner.api.Stage;
import io.el4ner.api.Usage;
import io.el4ner.api.UsageEntry;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CLI's output contract: one JSON object
 * {@code {"entities": [...], "diagnostics": [...], "usage": {...}, "degraded": bool}}. Enum values (stages,
 * diagnostic kinds, validation statuses) are written in lower case, e.g. {@code "pre_extraction"}.
 */
final class ResultJson {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ResultJson() {
    }

    /**
     * @param result the recognition's result
     * @param provenance whether to add each entity's provenance
     * @param pretty whether to indent
     * @param secrets masked in diagnostics, with every value registered with {@link io.el4ner.api.Redaction} (never
     *                in entities, whose text must stay the input's)
     * @return the JSON, UTF-8, without a trailing newline
     */
    static byte[] render(NerResult result, boolean provenance, boolean pretty, Secrets secrets) {
        ObjectNode root = NODES.objectNode();
        ArrayNode entities = root.putArray("entities");
        for (Entity e : result.entities()) {
            ObjectNode o = entities.addObject();
            o.put("start", e.start());
            o.put("end", e.end());
            o.put("type", e.type());
            o.put("text", e.text());
            o.put("confidence", e.confidence());
            if (provenance) {
                o.set("provenance", provenance(e.provenance()));
            }
        }
        ArrayNode diagnostics = root.putArray("diagnostics");
        for (Diagnostic d : result.diagnostics()) {
            ObjectNode o = diagnostics.addObject();
            o.put("kind", lower(d.kind()));
            o.put("stage", lower(d.stage()));
            o.put("member", secrets.mask(d.member()));
            o.put("message", secrets.mask(d.message()));
            o.put("detail", secrets.mask(d.detail()));
        }
        root.set("usage", usage(result.usage()));
        root.put("degraded", result.degraded());
        try {
            return pretty ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root)
                    : MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode usage(Usage usage) {
        ObjectNode o = NODES.objectNode();
        o.put("calls", usage.totalCalls());
        o.put("promptTokens", usage.entries().stream().mapToLong(UsageEntry::promptTokens).sum());
        o.put("completionTokens", usage.entries().stream().mapToLong(UsageEntry::completionTokens).sum());
        o.put("wallMillis", usage.wallMillis());
        ArrayNode stages = o.putArray("stages");
        for (UsageEntry e : usage.entries()) {
            ObjectNode s = stages.addObject();
            s.put("stage", lower(e.stage()));
            s.put("member", e.member());
            s.put("calls", e.calls());
            s.put("failures", e.failures());
            s.put("promptTokens", e.promptTokens());
            s.put("completionTokens", e.completionTokens());
            s.put("unreportedUsage", e.unreportedUsage());
            s.put("latencyMillis", e.latencyMillis());
        }
        return o;
    }

    private static ObjectNode provenance(Provenance p) {
        ObjectNode o = NODES.objectNode();
        strings(o.putArray("proposedBy"), p.proposedBy());
        ObjectNode labels = o.putObject("labels");
        for (Map.Entry<String, String> e : p.sortedLabels().entrySet()) {
            labels.put(e.getKey(), e.getValue());
        }
        o.put("validation", lower(p.validation()));
        strings(o.putArray("validatedBy"), p.validatedBy());
        strings(o.putArray("rejectedBy"), p.rejectedBy());
        return o;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    /** @return e.g. {@code pre_extraction} for {@link Stage#PRE_EXTRACTION} */
    static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
