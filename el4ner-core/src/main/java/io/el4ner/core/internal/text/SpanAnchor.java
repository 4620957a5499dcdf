package io.el4ner.core.internal.text;

import io.el4ner.api.Graphemes;
import io.el4ner.api.TextRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps the strings a model returns to their occurrences in the sentence. A match must start and end on token
 * boundaries (never inside a word, nor inside a visible character: a surrogate pair, a letter and its combining
 * marks, an emoji ZWJ sequence such as 👩‍👩‍👧, a flag, a skin-toned emoji; see {@link Graphemes}), so a model's
 * "Paris" never anchors inside "Parisian" and its "👩" followed by a ZERO WIDTH JOINER never inside 👩‍👩‍👧: such a
 * string is not snapped to the enclosing character but dropped (the pipeline reports it as an unanchored span).
 * Matching is tried in three steps, each only when the previous found nothing: exact; ignoring case; ignoring case
 * and collapsing runs of whitespace. A string with quotes or trailing punctuation the sentence does not have is
 * retried without them. Every occurrence is returned: the method does not say whether a model meant the first or all
 * occurrences, and all is what a reader would mark.
 *
 * <p>A model's strings are hostile input: each step is one {@link String#indexOf(String, int)} search over a form of
 * the sentence {@linkplain #prepare(String) prepared once} (case-folded; case-folded with runs of spaces collapsed),
 * never a regular expression built from the string, and stripping quotes is linear, so a huge or whitespace-heavy
 * string costs about one pass over the sentence.
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
        return prepare(sentence).find(candidate);
    }

    /**
     * @param sentence a sentence many candidates will be anchored in
     * @return the sentence with its searchable forms made once
     */
    public static Prepared prepare(String sentence) {
        return new Prepared(sentence);
    }

    /** A sentence with the forms the three matching steps search, made once for all of an answer's strings. */
    public static final class Prepared {
        private final String sentence;
        /** The sentence case-folded character by character (same length, same indices). */
        private final String folded;
        /** The folded sentence with every run of spaces ({@code \s}) replaced by one space. */
        private final String collapsed;
        /** For each character of {@code collapsed}: where it (or its run of spaces) starts in the sentence. */
        private final int[] starts;
        /** For each character of {@code collapsed}: where it (or its run of spaces) ends in the sentence. */
        private final int[] ends;
        /** The sentence's {@linkplain Graphemes#boundaries(String) visible-character boundaries}, made once. */
        private final boolean[] graphemeBoundaries;

        private Prepared(String sentence) {
            this.sentence = sentence;
            this.folded = fold(sentence);
            StringBuilder b = new StringBuilder(sentence.length());
            int[] st = new int[sentence.length()];
            int[] en = new int[sentence.length()];
            int n = 0;
            for (int i = 0; i < folded.length(); i++) {
                char c = folded.charAt(i);
                if (isAsciiSpace(c) && n > 0 && b.charAt(n - 1) == ' ' && en[n - 1] == i) {
                    en[n - 1] = i + 1;
                    continue;
                }
                b.append(isAsciiSpace(c) ? ' ' : c);
                st[n] = i;
                en[n] = i + 1;
                n++;
            }
            this.collapsed = b.toString();
            this.starts = st;
            this.ends = en;
            this.graphemeBoundaries = Graphemes.boundaries(sentence);
        }

        private boolean onBoundary(int i) {
            return isBoundary(sentence, i, graphemeBoundaries[i]);
        }

        /**
         * @param candidate a span string from a model
         * @return every token-aligned occurrence, in order; empty when there is none
         */
        public List<TextRange> find(String candidate) {
            String c = candidate.strip();
            if (c.isEmpty()) {
                return List.of();
            }
            List<TextRange> found = findVariants(c);
            if (!found.isEmpty()) {
                return found;
            }
            String cleaned = clean(c);
            if (!cleaned.isEmpty() && !cleaned.equals(c)) {
                return findVariants(cleaned);
            }
            return List.of();
        }

        private List<TextRange> findVariants(String c) {
            if (c.length() <= sentence.length()) {
                List<TextRange> found = scan(sentence, c);
                if (!found.isEmpty()) {
                    return found;
                }
                found = scan(folded, fold(c));
                if (!found.isEmpty()) {
                    return found;
                }
            }
            if (c.codePoints().anyMatch(Character::isWhitespace)) {
                return scanFlexibleSpace(c);
            }
            return List.of();
        }

        /** Every occurrence of {@code c} in {@code text} (the sentence or its folded form) on boundaries. */
        private List<TextRange> scan(String text, String c) {
            List<TextRange> out = new ArrayList<>();
            int n = c.length();
            for (int i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) {
                if (onBoundary(i) && onBoundary(i + n)) {
                    out.add(new TextRange(i, i + n));
                }
            }
            return out;
        }

        /**
         * Matches the candidate's words, ignoring case, with any run of spaces between them where the candidate has
         * one: a search for the candidate, folded and collapsed, in the sentence folded and collapsed.
         */
        private List<TextRange> scanFlexibleSpace(String c) {
            String words = collapse(fold(c));
            if (words.isEmpty() || words.length() > collapsed.length()) {
                return List.of();
            }
            List<TextRange> out = new ArrayList<>();
            int m = words.length();
            for (int k = collapsed.indexOf(words); k >= 0; k = collapsed.indexOf(words, k + 1)) {
                int start = starts[k];
                int end = ends[k + m - 1];
                if (onBoundary(start) && onBoundary(end)) {
                    out.add(new TextRange(start, end));
                }
            }
            return out;
        }
    }

    /**
     * Folds case code point by code point, keeping the length: what {@link String#regionMatches(boolean, int,
     * String, int, int)} ignoring case treats as equal folds to the same.
     */
    static String fold(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                b.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch);
                i++;
                continue;
            }
            int cp = s.codePointAt(i);
            int f = Character.toLowerCase(Character.toUpperCase(cp));
            b.appendCodePoint(Character.charCount(f) == Character.charCount(cp) ? f : cp);
            i += Character.charCount(cp);
        }
        return b.toString();
    }

    /** The text without leading and trailing spaces ({@code \s}) and with each run inside replaced by one space. */
    private static String collapse(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isAsciiSpace(c)) {
                space = b.length() > 0;
            } else {
                if (space) {
                    b.append(' ');
                    space = false;
                }
                b.append(c);
            }
        }
        return b.toString();
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

    /**
     * @param s a text
     * @param i an index in {@code [0, s.length()]}
     * @return whether a span may start or end at {@code i}: on a {@linkplain Graphemes visible character's}
     *     boundary, and not between two letters or digits of a word
     */
    public static boolean isBoundary(String s, int i) {
        return Graphemes.isSpanBoundary(s, i);
    }

    private static boolean isBoundary(String s, int i, boolean graphemeBoundary) {
        return Graphemes.isSpanBoundary(s, i, graphemeBoundary);
    }

    /** What {@code \s} matches without the Unicode flag. */
    private static boolean isAsciiSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /**
     * @param s a string
     * @return the string lower-cased with whitespace runs collapsed, for matching a model's echo of a span
     */
    public static String normalize(String s) {
        String t = s.strip();
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!isAsciiSpace(c)) {
                b.append(c);
            } else if (!isAsciiSpace(t.charAt(i - 1))) { // t is stripped: a space never comes first
                b.append(' ');
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
