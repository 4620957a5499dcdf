package io.el4ner.core.internal;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.el4ner.api.TypedSpan;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what small models really answer: JSON in code fences or inside prose, single-quoted or with trailing
 * commas, the shapes the prompts ask for and their common variants, numbered or bulleted lists, and the
 * {@code [CLS]a[SEP]b[SEP]} format of the reference implementation. What it cannot read it reports in
 * {@link Parsed#problems()}; it never guesses (no splitting prose on commas).
 */
public final class ResponseParser {
    private static final JsonMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS,
                    JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
            .build();
    private static final Pattern FENCE = Pattern.compile("```[A-Za-z0-9_-]*[ \\t]*\\R?(.*?)```", Pattern.DOTALL);
    private static final Pattern LIST_ITEM = Pattern.compile("^\\s*(?:\\d{1,3}[.)]|[-*•])\\s+(.+?)\\s*$");
    private static final Pattern PAIR_LINE =
            Pattern.compile("^\\s*(?:\\d{1,3}[.)]\\s+|[-*•]\\s+)?(.+)\\s*(?:->|=>|:|\\t)\\s*(\\S.*?)\\s*$");
    private static final Set<String> EMPTY_ANSWERS = Set.of("none", "no entities", "no entity", "n/a", "empty",
            "nothing", "no named entities", "there are no entities", "no entities found");
    private static final List<String> SPAN_FIELDS = List.of("span", "text", "entity", "name", "mention", "value");
    private static final List<String> TYPE_FIELDS = List.of("type", "label", "entity_type", "category", "class",
            "tag");
    private static final List<String> VERDICT_FIELDS = List.of("valid", "is_valid", "correct", "answer",
            "verdict", "keep", "result");
    private static final List<String> WRAPPER_FIELDS = List.of("entities", "spans", "named_entities", "labels",
            "classifications", "verdicts", "results", "answer", "output");

    private ResponseParser() {
    }

    /**
     * What a parse produced.
     *
     * @param value what could be read
     * @param parsed whether the answer had a readable shape at all; false means the whole answer is garbage
     * @param problems parts that could not be read
     * @param <T> the value's type
     */
    public record Parsed<T>(T value, boolean parsed, List<String> problems) {
        /** Copies the problems. */
        public Parsed {
            problems = List.copyOf(problems);
        }
    }

    /** A verifier's judgement; {@code type} is empty when the answer did not repeat it. */
    public record Judgement(String span, String type, boolean valid) {
    }

    /**
     * @param output a model's extraction answer
     * @return the span strings, in answer order, duplicates kept
     */
    public static Parsed<List<String>> spans(String output) {
        List<String> problems = new ArrayList<>();
        Optional<JsonNode> json = findJson(output);
        if (json.isPresent()) {
            List<String> spans = new ArrayList<>();
            if (collectSpans(json.get(), spans, problems)) {
                return new Parsed<>(spans, true, problems);
            }
        }
        String text = stripFences(output).strip();
        if (isEmptyAnswer(text)) {
            return new Parsed<>(List.of(), true, List.of());
        }
        if (text.contains("[SEP]")) {
            List<String> spans = new ArrayList<>();
            for (String s : text.replace("[CLS]", "").split("\\[SEP]")) {
                if (!s.isBlank()) {
                    spans.add(s.strip());
                }
            }
            return new Parsed<>(spans, true, List.of());
        }
        List<String> items = new ArrayList<>();
        List<String> stray = new ArrayList<>();
        for (String line : text.split("\\R")) {
            Matcher m = LIST_ITEM.matcher(line);
            if (m.matches()) {
                items.add(m.group(1));
            } else if (!line.isBlank() && !line.strip().endsWith(":")) {
                stray.add(line.strip());
            }
        }
        if (!items.isEmpty()) {
            stray.forEach(s -> problems.add("ignored a line that is not a list item: " + s));
            return new Parsed<>(items, true, problems);
        }
        return new Parsed<>(List.of(), false, List.of("no JSON and no list found in the answer"));
    }

    /**
     * @param output a model's classification answer
     * @return (span, label) pairs in answer order; labels as the model wrote them
     */
    public static Parsed<List<TypedSpan>> labels(String output) {
        List<String> problems = new ArrayList<>();
        Optional<JsonNode> json = findJson(output);
        if (json.isPresent()) {
            List<TypedSpan> pairs = new ArrayList<>();
            if (collectLabels(json.get(), pairs, problems)) {
                return new Parsed<>(pairs, true, problems);
            }
        }
        String text = stripFences(output).strip();
        if (isEmptyAnswer(text)) {
            return new Parsed<>(List.of(), true, List.of());
        }
        List<TypedSpan> pairs = new ArrayList<>();
        if (text.contains("[SEP]")) {
            for (String chunk : text.split("\\[CLS]")) {
                String[] parts = chunk.split("\\[SEP]");
                if (parts.length >= 2 && !parts[0].isBlank() && !parts[1].isBlank()) {
                    pairs.add(new TypedSpan(parts[0].strip(), parts[1].strip()));
                } else if (!chunk.isBlank()) {
                    problems.add("unreadable item: " + chunk.strip());
                }
            }
            return new Parsed<>(pairs, !pairs.isEmpty(), problems);
        }
        for (String line : text.split("\\R")) {
            if (line.isBlank() || line.strip().endsWith(":")) {
                continue;
            }
            Matcher m = PAIR_LINE.matcher(line);
            if (m.matches()) {
                pairs.add(new TypedSpan(unquote(m.group(1).strip()), unquote(m.group(2))));
            } else {
                problems.add("ignored a line that is not 'span: type': " + line.strip());
            }
        }
        if (pairs.isEmpty()) {
            return new Parsed<>(List.of(), false, List.of("no JSON and no 'span: type' lines found in the answer"));
        }
        return new Parsed<>(pairs, true, problems);
    }

    /**
     * @param output a verifier's answer
     * @param asked the entities asked about; a bare true/false is accepted when exactly one was asked
     * @return the judgements in answer order
     */
    public static Parsed<List<Judgement>> verdicts(String output, List<TypedSpan> asked) {
        List<String> problems = new ArrayList<>();
        Optional<JsonNode> json = findJson(output);
        if (json.isPresent()) {
            List<Judgement> out = new ArrayList<>();
            if (collectVerdicts(json.get(), asked, out, problems)) {
                return new Parsed<>(out, true, problems);
            }
        }
        String text = stripFences(output).strip();
        Boolean bare = bool(text);
        if (bare != null && asked.size() == 1) {
            return new Parsed<>(List.of(new Judgement(asked.get(0).text(), asked.get(0).type(), bare)), true,
                    List.of());
        }
        List<Judgement> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            if (line.isBlank() || line.strip().endsWith(":")) {
                continue;
            }
            Matcher m = PAIR_LINE.matcher(line);
            Boolean b = m.matches() ? bool(m.group(2)) : null;
            if (b != null) {
                out.add(new Judgement(unquote(m.group(1).strip()), "", b));
            } else {
                problems.add("ignored a line that is not 'span: true|false': " + line.strip());
            }
        }
        if (out.isEmpty()) {
            return new Parsed<>(List.of(), false, List.of("no JSON and no 'span: true|false' lines in the answer"));
        }
        return new Parsed<>(out, true, problems);
    }

    private static boolean collectSpans(JsonNode node, List<String> out, List<String> problems) {
        if (node.isArray()) {
            for (JsonNode item : node) {
                if (item.isTextual()) {
                    out.add(item.asText());
                } else if (item.isObject() && field(item, SPAN_FIELDS).isPresent()) {
                    out.add(field(item, SPAN_FIELDS).get());
                } else if (item.isArray() && item.size() >= 1 && item.get(0).isTextual()) {
                    out.add(item.get(0).asText());
                } else {
                    problems.add("unreadable item: " + item);
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

    private static boolean collectLabels(JsonNode node, List<TypedSpan> out, List<String> problems) {
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
                    problems.add("unreadable item: " + item);
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
                    problems.add("unreadable label for '" + e.getKey() + "': " + e.getValue());
                }
            }
            return true;
        }
        return false;
    }

    private static boolean collectVerdicts(JsonNode node, List<TypedSpan> asked, List<Judgement> out,
                                           List<String> problems) {
        if (node.isBoolean() && asked.size() == 1) {
            out.add(new Judgement(asked.get(0).text(), asked.get(0).type(), node.booleanValue()));
            return true;
        }
        if (node.isArray()) {
            for (JsonNode item : node) {
                Optional<String> span = item.isObject() ? field(item, SPAN_FIELDS) : Optional.empty();
                Boolean valid = item.isObject() ? verdictField(item) : null;
                if (span.isPresent() && valid != null) {
                    out.add(new Judgement(span.get(), field(item, TYPE_FIELDS).orElse(""), valid));
                } else {
                    problems.add("unreadable item: " + item);
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
                out.add(new Judgement(asked.get(0).text(), asked.get(0).type(), single));
                return true;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Boolean b = e.getValue().isBoolean() ? Boolean.valueOf(e.getValue().booleanValue())
                        : e.getValue().isTextual() ? bool(e.getValue().asText()) : null;
                if (b != null) {
                    out.add(new Judgement(e.getKey(), "", b));
                } else {
                    problems.add("unreadable verdict for '" + e.getKey() + "': " + e.getValue());
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
                    return bool(v.asText());
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

    /** Strict: "untrue" is not true. */
    static Boolean bool(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT).replaceAll("^[\"'`*]+|[\"'`*.!]+$", "");
        return switch (t) {
            case "true", "yes", "valid", "correct", "keep" -> Boolean.TRUE;
            case "false", "no", "invalid", "incorrect", "reject", "drop" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static boolean isEmptyAnswer(String text) {
        String t = text.toLowerCase(Locale.ROOT).replaceAll("[.!\"']", "").strip();
        return t.isEmpty() ? false : EMPTY_ANSWERS.contains(t);
    }

    private static String unquote(String s) {
        String t = s.strip();
        if (t.length() >= 2 && (t.charAt(0) == '"' || t.charAt(0) == '\'') && t.charAt(t.length() - 1) == t.charAt(0)) {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }

    private static String stripFences(String output) {
        Matcher m = FENCE.matcher(output);
        return m.find() ? m.group(1) : output;
    }

    /** The first JSON value in the answer: the whole answer, a fenced block, or a balanced [...] or {...}. */
    static Optional<JsonNode> findJson(String output) {
        String text = stripFences(output).strip();
        Optional<JsonNode> whole = tryParse(text);
        if (whole.isPresent() && (whole.get().isContainerNode() || whole.get().isBoolean())) {
            return whole;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '[' || c == '{') {
                int end = balancedEnd(text, i);
                if (end > 0) {
                    Optional<JsonNode> node = tryParse(text.substring(i, end));
                    if (node.isPresent()) {
                        return node;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static int balancedEnd(String s, int start) {
        int depth = 0;
        char quote = 0;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || (c == '\'' && isQuoteStart(s, i))) {
                quote = c;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
        }
        return -1;
    }

    /** An apostrophe inside a word (O'Neil) does not open a single-quoted string. */
    private static boolean isQuoteStart(String s, int i) {
        return i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1));
    }

    private static Optional<JsonNode> tryParse(String s) {
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(LENIENT.readTree(s));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
