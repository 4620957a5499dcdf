package io.el4ner.core.internal;

import io.el4ner.api.TextRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps the strings a model returns to their occurrences in the sentence. A match must start and end on token
 * boundaries (never inside a word, nor inside a visible character: a surrogate pair, a letter and its combining
 * marks, an emoji ZWJ sequence such as 👩‍👩‍👧, a flag, a skin-toned emoji; see {@link Graphemes}), so a model's
 * "Paris" never anchors inside "Parisian" and its "👩" followed by a ZERO WIDTH JOINER never inside 👩‍👩‍👧: such a string is not
 * snapped to the enclosing character but dropped (the pipeline reports it as an unanchored span). Matching is tried in three steps, each only when the previous found nothing:
 * exact; ignoring case; ignoring case and collapsing runs of whitespace. A string with quotes or trailing
 * punctuation the sentence does not have is retried without them. Every occurrence is returned: the method does
 * not say whether a model meant the first or all occurrences, and all is what a reader would mark.
 */
public final class SpanAnchor {
    private static final String STRIPPABLE_EDGES = "\"'`“”‘’«»";
    private static final String STRIPPABLE_TAIL = ".,;:!?";

    private SpanAnchor() {
    }

    /**
     * @param sentence the sentence
     * @param candidate a span string from a model
     * @return every token-aligned occurrence, in order; empty when there is none
     */
    public static List<TextRange> find(String sentence, String candidate) {
        String c = candidate.strip();
        if (c.isEmpty()) {
            return List.of();
        }
        List<TextRange> found = findVariants(sentence, c);
        if (!found.isEmpty()) {
            return found;
        }
        String cleaned = clean(c);
        if (!cleaned.isEmpty() && !cleaned.equals(c)) {
            return findVariants(sentence, cleaned);
        }
        return List.of();
    }

    private static List<TextRange> findVariants(String sentence, String c) {
        List<TextRange> found = scan(sentence, c, false);
        if (found.isEmpty()) {
            found = scan(sentence, c, true);
        }
        if (found.isEmpty() && c.codePoints().anyMatch(Character::isWhitespace)) {
            found = scanFlexibleSpace(sentence, c);
        }
        return found;
    }

    /** Strips matching quotes around and punctuation after the string, repeatedly; linear in its length. */
    private static String clean(String c) {
        int from = 0;
        int to = c.length();
        boolean changed = true;
        while (changed && to > from) {
            changed = false;
            if (to - from >= 2 && STRIPPABLE_EDGES.indexOf(c.charAt(from)) >= 0
                    && STRIPPABLE_EDGES.indexOf(c.charAt(to - 1)) >= 0) {
                from++;
                to--;
                while (from < to && Character.isWhitespace(c.charAt(from))) {
                    from++;
                }
                while (to > from && Character.isWhitespace(c.charAt(to - 1))) {
                    to--;
                }
                changed = true;
            } else if (STRIPPABLE_TAIL.indexOf(c.charAt(to - 1)) >= 0) {
                to--;
                while (to > from && Character.isWhitespace(c.charAt(to - 1))) {
                    to--;
                }
                changed = true;
            }
        }
        return c.substring(from, to);
    }

    private static List<TextRange> scan(String sentence, String c, boolean ignoreCase) {
        List<TextRange> out = new ArrayList<>();
        int n = c.length();
        for (int i = 0; i + n <= sentence.length(); i++) {
            if (sentence.regionMatches(ignoreCase, i, c, 0, n) && isBoundary(sentence, i)
                    && isBoundary(sentence, i + n)) {
                out.add(new TextRange(i, i + n));
            }
        }
        return out;
    }

    /**
     * Matches the candidate's words, ignoring case, with any run of spaces between them where the candidate has
     * one. Hand-written (a regular expression built from a hostile candidate of a million words would overflow
     * the stack); a candidate longer than the sentence, spaces collapsed, is not tried.
     */
    private static List<TextRange> scanFlexibleSpace(String sentence, String c) {
        List<String> parts = new ArrayList<>();
        int collapsed = -1;
        int i = 0;
        while (i < c.length()) {
            while (i < c.length() && isAsciiSpace(c.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < c.length() && !isAsciiSpace(c.charAt(i))) {
                i++;
            }
            if (i > start) {
                parts.add(c.substring(start, i));
                collapsed += i - start + 1;
                if (collapsed > sentence.length()) {
                    return List.of();
                }
            }
        }
        List<TextRange> out = new ArrayList<>();
        if (parts.isEmpty()) {
            return out;
        }
        for (int start = 0; start < sentence.length(); start++) {
            int end = matchWords(sentence, start, parts);
            if (end >= 0 && isBoundary(sentence, start) && isBoundary(sentence, end)) {
                out.add(new TextRange(start, end));
            }
        }
        return out;
    }

    /** @return the end of the words matched at {@code start}, spaces between them flexible, or -1 */
    private static int matchWords(String s, int start, List<String> words) {
        int pos = start;
        for (int k = 0; k < words.size(); k++) {
            if (k > 0) {
                int spaces = pos;
                while (pos < s.length() && isAsciiSpace(s.charAt(pos))) {
                    pos++;
                }
                if (pos == spaces) {
                    return -1;
                }
            }
            String w = words.get(k);
            if (!s.regionMatches(true, pos, w, 0, w.length())) {
                return -1;
            }
            pos += w.length();
        }
        return pos;
    }

    /** What {@code \s} matches without the Unicode flag. */
    private static boolean isAsciiSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /**
     * @param s a text
     * @param i an index in {@code [0, s.length()]}
     * @return whether a span may start or end at {@code i}: on a {@linkplain Graphemes visible character's}
     *     boundary, and not between two letters or digits of a word
     */
    public static boolean isBoundary(String s, int i) {
        if (i <= 0 || i >= s.length()) {
            return true;
        }
        if (!Graphemes.isBoundary(s, i)) {
            return false;
        }
        int after = s.codePointAt(i);
        if (isMark(after)) {
            return false;
        }
        int before = s.codePointBefore(i);
        return !(isWordChar(before) && isWordChar(after));
    }

    private static boolean isMark(int cp) {
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK || cp == 0x200D;
    }

    private static boolean isWordChar(int cp) {
        if (!(Character.isLetterOrDigit(cp) || isMark(cp))) {
            return false;
        }
        // Scripts written without spaces: every character may start or end a word.
        if (Character.isIdeographic(cp)) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script != Character.UnicodeScript.HIRAGANA && script != Character.UnicodeScript.KATAKANA
                && script != Character.UnicodeScript.THAI && script != Character.UnicodeScript.LAO
                && script != Character.UnicodeScript.KHMER && script != Character.UnicodeScript.MYANMAR;
    }

    /**
     * @param s a string
     * @return the string lower-cased with whitespace runs collapsed, for matching a model's echo of a span
     */
    public static String normalize(String s) {
        return s.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }
}
