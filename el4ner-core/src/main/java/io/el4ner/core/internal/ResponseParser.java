package io.el4ner.core.internal;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.el4ner.api.Redaction;
import io.el4ner.api.TypedSpan;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads what small models really answer: JSON in code fences or inside prose, single-quoted or with trailing
 * commas, the shapes the prompts ask for and their common variants, numbered or bulleted lists, and the
 * {@code [CLS]a[SEP]b[SEP]} format of the reference implementation. What it cannot read it reports in
 * {@link Parsed#problems()}; it never guesses (no splitting prose on commas).
 *
 * <p>Every answer is hostile input, so the work is bounded: every scan is hand-written and linear in the answer's
 * length (no backtracking regular expression); the search for JSON inside prose scans and hands Jackson at most
 * about {@value #JSON_WORK_FACTOR} times the answer's length, then gives up and says so; at most
 * {@value #MAX_PROBLEMS} problems are listed (the others are counted in {@link Parsed#omitted()}; the reason an answer
 * could not be read at all is always listed), each redacted and cut to {@value #MAX_PROBLEM_CHARS} characters.
 */
public final class ResponseParser {
    private static final JsonMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS,
                    JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
            .build();
    /** Problems listed at most per parse; the others are counted. */
    public static final int MAX_PROBLEMS = 20;
    /** Characters of a listed problem at most (after redaction). */
    public static final int MAX_PROBLEM_CHARS = 300;
    /** The JSON search hands Jackson at most this many times the answer's length (plus a constant). */
    public static final int JSON_WORK_FACTOR = 8;
    private static final Pattern SEP = Pattern.compile("[SEP]", Pattern.LITERAL);
    private static final Pattern CLS = Pattern.compile("[CLS]", Pattern.LITERAL);
    private static final Set<String> EMPTY_ANSWERS = Set.of("none", "no entities", "no entity", "n/a", "empty",
            "nothing", "no named entities", "there are no entities", "no entities found");
    private static final List<String> SPAN_FIELDS = List.of("span", "text", "entity", "name", "mention", "value");
    private static final List<String> TYPE_FIELDS = List.of("type", "label", "entity_type", "category", "class",
            "tag");
    private static final List<String> VERDICT_FIELDS = List.of("valid", "is_valid", "correct", "answer",
            "verdict", "keep", "result");
    private static final List<String> WRAPPER_FIELDS = List.of("entities", "spans", "named_entities", "labels",
            "classifications", "verdicts", "results", "answer", "output");

    /** What the JSON search may spend beyond {@link #JSON_WORK_FACTOR} times the answer's length. */
    private static final int JSON_WORK_CONSTANT = 65_536;
    /** What one attempt of Jackson costs beyond the characters it is handed (making a parser, failing). */
    private static final int JSON_ATTEMPT_COST = 512;

    private ResponseParser() {
    }

    /**
     * What a parse produced.
     *
     * @param value what could be read
     * @param parsed whether the answer had a readable shape at all; false means the whole answer is garbage
     * @param problems parts that could not be read, each redacted and bounded: at most {@link #MAX_PROBLEMS}, and
     *     one more, first, when the answer could not be read at all (why)
     * @param omitted how many more problems there were, not listed
     * @param <T> the value's type
     */
    public record Parsed<T>(T value, boolean parsed, List<String> problems, int omitted) {
        /** Copies the problems. */
        public Parsed {
            problems = List.copyOf(problems);
            if (omitted < 0) {
                throw new IllegalArgumentException("omitted must be >= 0, got " + omitted);
            }
        }

        /**
         * A parse with every problem listed.
         *
         * @param value what could be read
         * @param parsed whether the answer had a readable shape at all
         * @param problems parts that could not be read
         */
        public Parsed(T value, boolean parsed, List<String> problems) {
            this(value, parsed, problems, 0);
        }

        private Parsed(T value, boolean parsed, Problems problems) {
            this(value, parsed, problems.listed, problems.omitted);
        }
    }

    /** A verifier's judgement; {@code type} is empty when the answer did not repeat it. */
    public record Judgement(String span, String type, boolean valid) {
    }

    /** The problems of one parse: the first {@link #MAX_PROBLEMS} listed, the others counted. */
    private static final class Problems {
        final List<String> listed = new ArrayList<>();
        int omitted;

        /** Builds the text only when it is listed: a hostile answer can have a million problems. */
        void add(Supplier<String> problem) {
            if (listed.size() < MAX_PROBLEMS) {
                listed.add(Redaction.excerpt(problem.get(), MAX_PROBLEM_CHARS));
            } else {
                omitted++;
            }
        }

        void add(String problem) {
            add(() -> problem);
        }

        void addAll(Problems other) {
            for (String p : other.listed) {
                add(p);
            }
            omitted += other.omitted;
        }
    }

    /**
     * @param output a model's extraction answer
     * @return the span strings, in answer order, duplicates kept
     */
    public static Parsed<List<String>> spans(String output) {
        Problems problems = new Problems();
        JsonSearch json = findJsonBounded(output);
        if (json.node().isPresent()) {
            List<String> spans = new ArrayList<>();
            if (collectSpans(json.node().get(), spans, problems)) {
                return new Parsed<>(spans, true, problems);
            }
        }
        json.reportGaveUp(problems);
        String text = stripFences(output).strip();
        if (isEmptyAnswer(text)) {
            return new Parsed<>(List.of(), true, problems);
        }
        if (text.contains("[SEP]")) {
            List<String> spans = new ArrayList<>();
            for (String s : SEP.split(text.replace("[CLS]", ""))) {
                if (!s.isBlank()) {
                    spans.add(s.strip());
                }
            }
            return new Parsed<>(spans, true, problems);
        }
        List<String> items = new ArrayList<>();
        Problems stray = new Problems();
        for (String line : lines(text)) {
            String item = listItem(line);
            if (item != null) {
                items.add(item);
            } else if (!line.isBlank() && !line.strip().endsWith(":")) {
                stray.add(() -> "ignored a line that is not a list item: " + line.strip());
            }
        }
        if (!items.isEmpty()) {
            problems.addAll(stray);
            return new Parsed<>(items, true, problems);
        }
        return unparsed(problems, "no JSON and no list found in the answer");
    }

    /**
     * @param output a model's classification answer
     * @return (span, label) pairs in answer order; labels as the model wrote them
     */
    public static Parsed<List<TypedSpan>> labels(String output) {
        Problems problems = new Problems();
        JsonSearch json = findJsonBounded(output);
        if (json.node().isPresent()) {
            List<TypedSpan> pairs = new ArrayList<>();
            if (collectLabels(json.node().get(), pairs, problems)) {
                return new Parsed<>(pairs, true, problems);
            }
        }
        json.reportGaveUp(problems);
        String text = stripFences(output).strip();
        if (isEmptyAnswer(text)) {
            return new Parsed<>(List.of(), true, problems);
        }
        List<TypedSpan> pairs = new ArrayList<>();
        if (text.contains("[SEP]")) {
            for (String chunk : CLS.split(text)) {
                String[] parts = SEP.split(chunk);
                if (parts.length >= 2 && !parts[0].isBlank() && !parts[1].isBlank()) {
                    pairs.add(new TypedSpan(parts[0].strip(), parts[1].strip()));
                } else if (!chunk.isBlank()) {
                    problems.add(() -> "unreadable item: " + chunk.strip());
                }
            }
            return new Parsed<>(pairs, !pairs.isEmpty(), problems);
        }
        for (String line : lines(text)) {
            if (line.isBlank() || line.strip().endsWith(":")) {
                continue;
            }
            String[] pair = pairLine(line);
            if (pair != null) {
                pairs.add(new TypedSpan(unquote(pair[0].strip()), unquote(pair[1])));
            } else {
                problems.add(() -> "ignored a line that is not 'span: type': " + line.strip());
            }
        }
        if (pairs.isEmpty()) {
            return unparsed(problems, "no JSON and no 'span: type' lines found in the answer");
        }
        return new Parsed<>(pairs, true, problems);
    }

    /**
     * @param output a verifier's answer
     * @param asked the entities asked about; a bare true/false is accepted when exactly one was asked
     * @return the judgements in answer order
     */
    public static Parsed<List<Judgement>> verdicts(String output, List<TypedSpan> asked) {
        Problems problems = new Problems();
        JsonSearch json = findJsonBounded(output);
        if (json.node().isPresent()) {
            List<Judgement> out = new ArrayList<>();
            if (collectVerdicts(json.node().get(), asked, out, problems)) {
                return new Parsed<>(out, true, problems);
            }
        }
        json.reportGaveUp(problems);
        String text = stripFences(output).strip();
        Boolean bare = bool(text);
        if (bare != null && asked.size() == 1) {
            return new Parsed<>(List.of(new Judgement(asked.get(0).text(), asked.get(0).type(), bare)), true,
                    problems);
        }
        List<Judgement> out = new ArrayList<>();
        for (String line : lines(text)) {
            if (line.isBlank() || line.strip().endsWith(":")) {
                continue;
            }
            String[] pair = pairLine(line);
            Boolean b = pair != null ? bool(pair[1]) : null;
            if (b != null) {
                out.add(new Judgement(unquote(pair[0].strip()), "", b));
            } else {
                problems.add(() -> "ignored a line that is not 'span: true|false': " + line.strip());
            }
        }
        if (out.isEmpty()) {
            return unparsed(problems, "no JSON and no 'span: true|false' lines in the answer");
        }
        return new Parsed<>(out, true, problems);
    }

    /** A parse that found nothing readable; the reason comes first, listed whatever else was. */
    private static <T> Parsed<List<T>> unparsed(Problems problems, String reason) {
        problems.listed.add(0, reason);
        return new Parsed<>(List.of(), false, problems);
    }

    private static boolean collectSpans(JsonNode node, List<String> out, Problems problems) {
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

    private static boolean collectLabels(JsonNode node, List<TypedSpan> out, Problems problems) {
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

    private static boolean collectVerdicts(JsonNode node, List<TypedSpan> asked, List<Judgement> out,
                                           Problems problems) {
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

    /**
     * Strict: "untrue" is not true. Quotes and stars around the word and a trailing full stop or exclamation mark
     * are ignored. Linear in the length of {@code s}.
     *
     * @param s a verdict as written
     * @return true, false, or null when it is neither
     */
    public static Boolean bool(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        int from = 0;
        while (from < t.length() && "\"'`*".indexOf(t.charAt(from)) >= 0) {
            from++;
        }
        int to = t.length();
        while (to > from && "\"'`*.!".indexOf(t.charAt(to - 1)) >= 0) {
            to--;
        }
        if (to - from > 9) {
            return null;
        }
        return switch (t.substring(from, to)) {
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

    /** Java's {@code \s} without the Unicode flag: the characters the line formats may be padded with. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r' || c == 0x0B || c == '\f' || c == 0x85 || c == 0x2028 || c == 0x2029;
    }

    /**
     * @param text a text
     * @return its lines, split at every line break ({@code \R}), in one pass
     */
    public static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isLineBreak(c)) {
                out.add(text.substring(from, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                from = i + 1;
            }
        }
        out.add(text.substring(from));
        return out;
    }

    /**
     * A list item: optional padding, a marker ({@code 1.}, {@code 12)}, {@code -}, {@code *}, {@code •}), at least
     * one space, then the item.
     *
     * @param line one line
     * @return the item without its padding; null when the line is not a list item
     */
    public static String listItem(String line) {
        int n = line.length();
        int i = skipSpaces(line, 0);
        int after = markerEnd(line, i);
        if (after < 0) {
            return null;
        }
        int from = skipSpaces(line, after);
        if (from == after) {
            return null;
        }
        int to = n;
        while (to > from && isSpace(line.charAt(to - 1))) {
            to--;
        }
        return to > from ? line.substring(from, to) : null;
    }

    /** @return the index after a list marker ({@code 1.}, {@code 12)}, {@code -}, {@code *}, {@code •}) at i, or -1 */
    private static int markerEnd(String line, int i) {
        int digits = 0;
        while (i + digits < line.length() && digits < 4 && line.charAt(i + digits) >= '0'
                && line.charAt(i + digits) <= '9') {
            digits++;
        }
        if (digits >= 1 && digits <= 3 && i + digits < line.length()
                && (line.charAt(i + digits) == '.' || line.charAt(i + digits) == ')')) {
            return i + digits + 1;
        }
        if (digits == 0 && i < line.length() && "-*•".indexOf(line.charAt(i)) >= 0) {
            return i + 1;
        }
        return -1;
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * A "span: type" line: an optional list marker, the span, a separator ({@code ->}, {@code =>}, {@code :} or a
     * tab), then the value. The last separator followed by something other than spaces is the one, so spans may
     * contain colons. At most two passes over the line.
     *
     * @param line one line
     * @return {span, value}, the value stripped; null when the line has no such shape
     */
    public static String[] pairLine(String line) {
        int start = skipSpaces(line, 0);
        int marker = markerEnd(line, start);
        if (marker >= 0) {
            int after = skipSpaces(line, marker);
            if (after > marker) {
                String[] withMarker = splitPair(line, after);
                if (withMarker != null) {
                    return withMarker;
                }
            }
        }
        return splitPair(line, start);
    }

    private static String[] splitPair(String line, int from) {
        int last = line.length() - 1;
        while (last >= from && isSpace(line.charAt(last))) {
            last--;
        }
        // the separator ends before `last`; the span before it is not empty
        for (int p = last - 1; p > from; p--) {
            char c = line.charAt(p);
            int width = c == ':' || c == '\t' ? 1
                    : (c == '-' || c == '=') && line.charAt(p + 1) == '>' ? 2 : 0;
            if (width > 0 && p + width <= last) {
                int value = skipSpaces(line, p + width);
                return new String[] {line.substring(from, p), line.substring(value, last + 1)};
            }
        }
        return null;
    }

    /**
     * @param output an answer
     * @return the content of its first complete code fence ({@code ```lang ... ```}); the answer itself when it
     *     has none
     */
    public static String stripFences(String output) {
        int open = output.indexOf("```");
        if (open < 0) {
            return output;
        }
        int i = open + 3;
        while (i < output.length() && isFenceLanguage(output.charAt(i))) {
            i++;
        }
        while (i < output.length() && (output.charAt(i) == ' ' || output.charAt(i) == '\t')) {
            i++;
        }
        if (i < output.length() && isLineBreak(output.charAt(i))) {
            i += output.startsWith("\r\n", i) ? 2 : 1;
        }
        int close = output.indexOf("```", i);
        return close < 0 ? output : output.substring(i, close);
    }

    private static boolean isFenceLanguage(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    /**
     * The outcome of the JSON search.
     *
     * @param node the first JSON value found
     * @param gaveUp whether some candidates were not tried because the work allowed was spent
     * @param work the characters scanned and handed to Jackson (each attempt counting
     *     {@value #JSON_ATTEMPT_COST} more)
     */
    record JsonSearch(Optional<JsonNode> node, boolean gaveUp, long work) {
        void reportGaveUp(Problems problems) {
            if (gaveUp) {
                problems.add("gave up looking for JSON in the answer: it is too large or too deeply nested to "
                        + "search within about " + JSON_WORK_FACTOR + " times its length");
            }
        }
    }

    /** The first JSON value in the answer: the whole answer, a fenced block, or a balanced [...] or {...}. */
    static Optional<JsonNode> findJson(String output) {
        return findJsonBounded(output).node();
    }

    /**
     * For tests and benchmarks: what the search for JSON in an answer costs, in characters scanned and handed to
     * Jackson; never more than {@value #JSON_WORK_FACTOR} times the answer's length plus a constant.
     *
     * @param output an answer
     * @return the work its JSON search did
     */
    public static long jsonSearchWork(String output) {
        return findJsonBounded(output).work();
    }

    /**
     * Finds the first JSON value in linear time. Brackets are paired in one pass (quotes count only inside
     * brackets, so an apostrophe in the prose around the JSON does not hide it); the pass restarts after the first
     * open bracket only when the answer ended inside an unterminated string. Candidates are handed to Jackson in
     * order until one parses; the characters scanned and handed to Jackson together stay within
     * {@link #JSON_WORK_FACTOR} times the answer's length (plus a constant).
     */
    static JsonSearch findJsonBounded(String output) {
        String raw = output.strip();
        String text = stripFences(output).strip();
        int n = text.length();
        long allowed = (long) JSON_WORK_FACTOR * raw.length() + JSON_WORK_CONSTANT;
        long budget = allowed;
        if (text.length() != raw.length() && !raw.isEmpty() && (raw.charAt(0) == '{' || raw.charAt(0) == '[')) {
            // A JSON answer whose strings hold a code fence (a sentence or a type name with ```) is not fenced.
            Optional<JsonNode> json = tryParse(raw, 0, raw.length());
            budget -= raw.length();
            if (json.isPresent()) {
                return new JsonSearch(json, false, allowed - budget);
            }
        }
        Optional<JsonNode> whole = tryParse(text, 0, n);
        budget -= n;
        if (whole.isPresent() && (whole.get().isContainerNode() || whole.get().isBoolean())) {
            return new JsonSearch(whole, false, allowed - budget);
        }
        if (text.indexOf('[') < 0 && text.indexOf('{') < 0) {
            return new JsonSearch(Optional.empty(), false, allowed - budget);
        }
        int[] ends = new int[n];
        int[] stack = new int[n];
        boolean gaveUp = false;
        int from = 0;
        while (true) {
            budget -= n - from;
            int reopen = pairBrackets(text, from, ends, stack);
            if (reopen < 0) {
                break;
            }
            if (budget < n - reopen) {
                gaveUp = true;
                break;
            }
            java.util.Arrays.fill(ends, reopen + 1, n, 0);
            from = reopen + 1;
        }
        for (int i = 0; i < n; i++) {
            int end = ends[i];
            if (end == 0) {
                continue;
            }
            if (!mayStartJson(text, i, end)) {
                continue;
            }
            if (end - i + JSON_ATTEMPT_COST > budget) {
                gaveUp = true;
                continue;
            }
            budget -= end - i + JSON_ATTEMPT_COST;
            Optional<JsonNode> node = tryParse(text, i, end);
            if (node.isPresent()) {
                return new JsonSearch(node, gaveUp, allowed - budget);
            }
        }
        return new JsonSearch(Optional.empty(), gaveUp, allowed - budget);
    }

    /**
     * One pass from {@code from}: records in {@code ends} the end (exclusive) of every open bracket that closes.
     *
     * @return the first bracket left open when the text ended inside an unterminated string (the pass is then worth
     *     repeating after it), else -1
     */
    private static int pairBrackets(String s, int from, int[] ends, int[] stack) {
        int depth = 0;
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '[' || c == '{') {
                stack[depth++] = i;
            } else if (depth > 0) {
                if (c == '"' || (c == '\'' && isQuoteStart(s, i))) {
                    quote = c;
                } else if (c == ']' || c == '}') {
                    ends[stack[--depth]] = i + 1;
                }
            }
        }
        return quote != 0 && depth > 0 ? stack[0] : -1;
    }

    /**
     * Whether the bracketed text at {@code [from, to)} may be JSON at all, judged by its first character after the
     * bracket: {@code [SEP]} or {@code [see below]} is not worth a parser.
     */
    private static boolean mayStartJson(String s, int from, int to) {
        int i = skipSpaces(s, from + 1);
        if (i >= to) {
            return false;
        }
        char c = s.charAt(i);
        if (c == '"' || c == '\'' || c == '/' || c == ']' || c == '}') {
            return true;
        }
        if (s.charAt(from) == '{') { // unquoted field names are accepted
            return Character.isLetterOrDigit(c) || c == '_' || c == '$';
        }
        return c == '[' || c == '{' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n'
                || c == 'N' || c == 'I' || c == '+';
    }

    /** An apostrophe inside a word (O'Neil) does not open a single-quoted string. */
    private static boolean isQuoteStart(String s, int i) {
        return i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1));
    }

    private static Optional<JsonNode> tryParse(String s, int from, int to) {
        if (from >= to) {
            return Optional.empty();
        }
        try (JsonParser p = LENIENT.getFactory().createParser(s.substring(from, to))) {
            return Optional.ofNullable(LENIENT.readTree(p));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
