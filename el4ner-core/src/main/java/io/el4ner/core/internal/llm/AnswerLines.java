package io.el4ner.core.internal.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The line formats small models answer in when they do not answer JSON: numbered or bulleted lists,
 * {@code span: type} lines and bare verdicts. Every scan is hand-written and linear in the line's length.
 */
final class AnswerLines {
    private AnswerLines() {
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

    static String unquote(String s) {
        String t = s.strip();
        if (t.length() >= 2 && (t.charAt(0) == '"' || t.charAt(0) == '\'') && t.charAt(t.length() - 1) == t.charAt(0)) {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }

    /** Java's {@code \s} without the Unicode flag: the characters the line formats may be padded with. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    static boolean isLineBreak(char c) {
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
    static int markerEnd(String line, int i) {
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

    static int skipSpaces(String s, int i) {
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

}
