package io.el4ner.core.internal;

import io.el4ner.api.TextRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the strings a model returns to their occurrences in the sentence. A match must start and end on token
 * boundaries (never inside a word, a surrogate pair or before a combining mark), so a model's "Paris" never
 * anchors inside "Parisian". Matching is tried in three steps, each only when the previous found nothing:
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

    private static String clean(String c) {
        String s = c;
        boolean changed = true;
        while (changed && !s.isEmpty()) {
            changed = false;
            if (s.length() >= 2 && STRIPPABLE_EDGES.indexOf(s.charAt(0)) >= 0
                    && STRIPPABLE_EDGES.indexOf(s.charAt(s.length() - 1)) >= 0) {
                s = s.substring(1, s.length() - 1).strip();
                changed = true;
            } else if (STRIPPABLE_TAIL.indexOf(s.charAt(s.length() - 1)) >= 0) {
                s = s.substring(0, s.length() - 1).strip();
                changed = true;
            }
        }
        return s;
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

    private static List<TextRange> scanFlexibleSpace(String sentence, String c) {
        String[] parts = c.split("\\s+");
        StringBuilder regex = new StringBuilder();
        for (String p : parts) {
            if (p.isEmpty()) {
                continue;
            }
            if (regex.length() > 0) {
                regex.append("\\s+");
            }
            regex.append(Pattern.quote(p));
        }
        Matcher m = Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
                .matcher(sentence);
        List<TextRange> out = new ArrayList<>();
        int from = 0;
        while (from <= sentence.length() && m.find(from)) {
            if (isBoundary(sentence, m.start()) && isBoundary(sentence, m.end())) {
                out.add(new TextRange(m.start(), m.end()));
            }
            from = m.start() + 1;
        }
        return out;
    }

    /**
     * @param s a text
     * @param i an index in {@code [0, s.length()]}
     * @return whether a span may start or end at {@code i}
     */
    public static boolean isBoundary(String s, int i) {
        if (i <= 0 || i >= s.length()) {
            return true;
        }
        if (Character.isLowSurrogate(s.charAt(i)) && Character.isHighSurrogate(s.charAt(i - 1))) {
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
