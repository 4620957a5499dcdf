package io.el4ner.core.internal.llm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Optional;

/**
 * Finds the JSON in an answer: the whole answer, a fenced block, or the first balanced {@code [...]} or
 * {@code {...}} inside prose, read leniently (single quotes, trailing commas, comments). The search is linear: it
 * hands Jackson at most about {@value #JSON_WORK_FACTOR} times the answer's length, then gives up and says so.
 */
public final class JsonLocator {
    private static final JsonMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS,
                    JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
            .build();
    /** The JSON search hands Jackson at most this many times the answer's length (plus a constant). */
    public static final int JSON_WORK_FACTOR = 8;

    /** What the JSON search may spend beyond {@link #JSON_WORK_FACTOR} times the answer's length. */
    private static final int JSON_WORK_CONSTANT = 65_536;
    /** What one attempt of Jackson costs beyond the characters it is handed (making a parser, failing). */
    private static final int JSON_ATTEMPT_COST = 512;

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
        if (i < output.length() && AnswerLines.isLineBreak(output.charAt(i))) {
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
        int i = AnswerLines.skipSpaces(s, from + 1);
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

    private JsonLocator() {
    }
}
