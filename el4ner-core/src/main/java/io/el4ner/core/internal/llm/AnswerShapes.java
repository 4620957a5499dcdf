package io.el4ner.core.internal.llm;

import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.TypedSpan;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON shapes answers come in, read into spans, labels or verdicts: the shapes the prompts ask for and their
 * common variants (bare arrays, wrapper objects, {@code {"span": "type"}} maps, other field names).
 */
final class AnswerShapes {
    private AnswerShapes() {
    }

    private static final List<String> SPAN_FIELDS = List.of("span", "text", "entity", "name", "mention", "value");
    private static final List<String> TYPE_FIELDS = List.of("type", "label", "entity_type", "category", "class",
            "tag");
    private static final List<String> VERDICT_FIELDS = List.of("valid", "is_valid", "correct", "answer",
            "verdict", "keep", "result");
    private static final List<String> WRAPPER_FIELDS = List.of("entities", "spans", "named_entities", "labels",
            "classifications", "verdicts", "results", "answer", "output");

    static boolean collectSpans(JsonNode node, List<String> out, Problems problems) {
        if (node.isArray()) {
            for (JsonNode item : node) {
                if (item.isTextual()) {
                    out.add(item.asText());
                } else if (item.isObject() && field(item, SPAN_FIELDS).isPresent()) {
                    out.add(field(item, SPAN_FIELDS).get());
                } else if (item.isArray() && item.size() >= 1 && item.get(0).isTextual()) {
                    out.add(item.get(0).asText());
                } else {
                    problems.add(() -> "unreadable item: " + item);
                }
            }
            return true;
        }
        if (node.isObject()) {
            Optional<JsonNode> wrapped = wrapper(node);
            if (wrapped.isPresent()) {
                return collectSpans(wrapped.get(), out, problems);
            }
            if (node.isEmpty()) {
                return true;
            }
            // {"Paris": "LOC", ...}: a classification-shaped answer; the keys are the spans.
            Iterator<String> names = node.fieldNames();
            names.forEachRemaining(out::add);
            return true;
        }
        if (node.isTextual() && !node.asText().isBlank()) {
            out.add(node.asText());
            return true;
        }
        return false;
    }

    static boolean collectLabels(JsonNode node, List<TypedSpan> out, Problems problems) {
        if (node.isArray()) {
            for (JsonNode item : node) {
                Optional<String> span = item.isObject() ? field(item, SPAN_FIELDS) : Optional.empty();
                Optional<String> type = item.isObject() ? field(item, TYPE_FIELDS) : Optional.empty();
                if (item.isObject() && span.isPresent() && item.has(typeFieldName(item))
                        && item.get(typeFieldName(item)).isNull()) {
                    type = Optional.of("NONE");
                }
                if (span.isPresent() && type.isPresent()) {
                    out.add(new TypedSpan(span.get(), type.get()));
                } else if (item.isArray() && item.size() == 2 && item.get(0).isTextual()
                        && (item.get(1).isTextual() || item.get(1).isNull())) {
                    out.add(new TypedSpan(item.get(0).asText(), item.get(1).isNull() ? "NONE" : item.get(1).asText()));
                } else {
                    problems.add(() -> "unreadable item: " + item);
                }
            }
            return true;
        }
        if (node.isObject()) {
            Optional<JsonNode> wrapped = wrapper(node);
            if (wrapped.isPresent()) {
                return collectLabels(wrapped.get(), out, problems);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isTextual()) {
                    out.add(new TypedSpan(e.getKey(), e.getValue().asText()));
                } else if (e.getValue().isNull()) {
                    out.add(new TypedSpan(e.getKey(), "NONE"));
                } else {
                    problems.add(() -> "unreadable label for '" + e.getKey() + "': " + e.getValue());
                }
            }
            return true;
        }
        return false;
    }

    static boolean collectVerdicts(JsonNode node, List<TypedSpan> asked, List<ResponseParser.Judgement> out,
                                           Problems problems) {
        if (node.isBoolean() && asked.size() == 1) {
            out.add(new ResponseParser.Judgement(asked.get(0).text(), asked.get(0).type(), node.booleanValue()));
            return true;
        }
        if (node.isArray()) {
            for (JsonNode item : node) {
                Optional<String> span = item.isObject() ? field(item, SPAN_FIELDS) : Optional.empty();
                Boolean valid = item.isObject() ? verdictField(item) : null;
                if (span.isPresent() && valid != null) {
                    out.add(new ResponseParser.Judgement(span.get(), field(item, TYPE_FIELDS).orElse(""), valid));
                } else {
                    problems.add(() -> "unreadable item: " + item);
                }
            }
            return true;
        }
        if (node.isObject()) {
            Optional<JsonNode> wrapped = wrapper(node);
            if (wrapped.isPresent()) {
                return collectVerdicts(wrapped.get(), asked, out, problems);
            }
            Boolean single = verdictField(node);
            if (single != null && asked.size() == 1) {
                out.add(new ResponseParser.Judgement(asked.get(0).text(), asked.get(0).type(), single));
                return true;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Boolean b = e.getValue().isBoolean() ? Boolean.valueOf(e.getValue().booleanValue())
                        : e.getValue().isTextual() ? AnswerLines.bool(e.getValue().asText()) : null;
                if (b != null) {
                    out.add(new ResponseParser.Judgement(e.getKey(), "", b));
                } else {
                    problems.add(() -> "unreadable verdict for '" + e.getKey() + "': " + e.getValue());
                }
            }
            return true;
        }
        return false;
    }

    private static Boolean verdictField(JsonNode item) {
        for (String f : VERDICT_FIELDS) {
            JsonNode v = item.get(f);
            if (v != null) {
                if (v.isBoolean()) {
                    return v.booleanValue();
                }
                if (v.isTextual()) {
                    return AnswerLines.bool(v.asText());
                }
            }
        }
        return null;
    }

    private static String typeFieldName(JsonNode item) {
        for (String f : TYPE_FIELDS) {
            if (item.has(f)) {
                return f;
            }
        }
        return "type";
    }

    private static Optional<JsonNode> wrapper(JsonNode node) {
        for (String f : WRAPPER_FIELDS) {
            JsonNode v = node.get(f);
            if (v != null && (v.isArray() || v.isObject())) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> field(JsonNode item, List<String> names) {
        for (String f : names) {
            JsonNode v = item.get(f);
            if (v != null && v.isTextual()) {
                return Optional.of(v.asText());
            }
        }
        return Optional.empty();
    }
}
