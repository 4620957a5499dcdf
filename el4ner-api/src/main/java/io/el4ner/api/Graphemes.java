package io.el4ner.api;

/**
 * Where a visible character (an extended grapheme cluster) may begin or end, by a small fixed rule set written
 * here rather than taken from {@link java.text.BreakIterator} or the regex {@code \X}, whose answers changed between
 * JDK releases (JDK 20 moved {@code BreakIterator}'s character instances to the Unicode rules): the same text gives
 * the same boundaries on every JDK from 17 on. The rules follow Unicode's UAX #29 extended grapheme clusters, a
 * little stricter where that is simpler:
 * <ul>
 *   <li>never between the two halves of a surrogate pair, nor between CR and LF;</li>
 *   <li>always around other controls (C0/C1 controls, line and paragraph separators, format characters other than
 *       the joiners, tags and prepended marks), so that stray controls never glue words together;</li>
 *   <li>never before an extending character: a combining mark (Mn, Mc, Me), ZERO WIDTH JOINER or NON-JOINER, a
 *       variation selector (FE00–FE0F, E0100–E01EF, which are marks), an emoji skin-tone modifier (1F3FB–1F3FF), a
 *       tag character (E0020–E007F), a halfwidth voiced sound mark (FF9E–FF9F);</li>
 *   <li>never right after ZERO WIDTH JOINER (so no cut inside 👩‍👩‍👧, and, stricter than UAX #29, none after a
 *       joiner anywhere);</li>
 *   <li>never after a prepended concatenation mark (0600–0605, 06DD, 070F, 0890–0891, 08E2, 110BD, 110CD);</li>
 *   <li>never inside a Hangul syllable spelled with conjoining jamo;</li>
 *   <li>never inside a pair of regional indicators (a flag): regional indicators pair up from the start of their
 *       run.</li>
 * </ul>
 * The general categories come from {@link Character}, so a character first assigned in a Unicode version newer than
 * the running JDK's is, as everywhere in Java, unassigned there.
 *
 * <p>{@link #isSpanBoundary(String, int)} adds the word rule that makes these boundaries the places where an entity
 * span may start or end: el4ner anchors a model's span string only on such boundaries, and
 * {@link AnswerContract.StringRule#SUBSTRING_OF_SENTENCE} allows only substrings between them, so that what a
 * constrained decoder or a server grammar lets through is exactly what the pipeline can anchor.
 *
 * @since 0.1
 */
public final class Graphemes {
    private static final int ZWJ = 0x200D;
    private static final int ZWNJ = 0x200C;

    private Graphemes() {
    }

    /**
     * @param s a text
     * @param i an index in {@code [0, s.length()]}
     * @return whether a visible character may begin (and the previous end) at {@code i}
     */
    public static boolean isBoundary(String s, int i) {
        return isBoundary(s, i, -1);
    }

    /**
     * Every boundary of a text at once, in time linear in its length (asking {@link #isBoundary(String, int)} at
     * every index walks back through each run of regional indicators, which is quadratic on a long run of flags).
     *
     * @param s a text
     * @return for each index in {@code [0, s.length()]} whether it is a boundary
     */
    public static boolean[] boundaries(String s) {
        boolean[] out = new boolean[s.length() + 1];
        int run = 0; // regional indicators right before i
        int i = 0;
        while (i < s.length()) {
            out[i] = isBoundary(s, i, run);
            int cp = s.codePointAt(i);
            run = isRegionalIndicator(cp) ? run + 1 : 0;
            i += Character.charCount(cp); // the index inside a surrogate pair stays false
        }
        out[s.length()] = true;
        return out;
    }

    /** @param run the regional indicators right before {@code i}, or -1 to count them here */
    private static boolean isBoundary(String s, int i, int run) {
        if (i <= 0 || i >= s.length()) {
            return true;
        }
        char hi = s.charAt(i - 1);
        char lo = s.charAt(i);
        if (Character.isHighSurrogate(hi) && Character.isLowSurrogate(lo)) {
            return false;
        }
        if (hi == '\r' && lo == '\n') {
            return false;
        }
        int before = s.codePointBefore(i);
        int after = s.codePointAt(i);
        if (isControl(before) || isControl(after)) {
            return true;
        }
        if (isExtend(after) || after == ZWJ || before == ZWJ || isPrepend(before)) {
            return false;
        }
        if (isHangulJoined(before, after)) {
            return false;
        }
        if (isRegionalIndicator(before) && isRegionalIndicator(after)) {
            if (run >= 0) {
                return run % 2 == 0;
            }
            run = 0;
            for (int j = i; j > 0; ) {
                int cp = s.codePointBefore(j);
                if (!isRegionalIndicator(cp)) {
                    break;
                }
                run++;
                j -= Character.charCount(cp);
            }
            return run % 2 == 0;
        }
        return true;
    }

    /**
     * @param s a text
     * @param i an index in {@code [0, s.length())}
     * @return the next boundary after {@code i}: the end of the visible character that begins at or covers
     *     {@code i}
     */
    public static int next(String s, int i) {
        int j = i + Character.charCount(s.codePointAt(i));
        while (j < s.length() && !isBoundary(s, j)) {
            j += Character.charCount(s.codePointAt(j));
        }
        return Math.min(j, s.length());
    }

    /**
     * @param s a text
     * @param i an index in {@code [0, s.length()]}
     * @return whether an entity span may start or end at {@code i}: the text's ends, or a visible character's
     *     boundary that is not between two letters or digits of a word (scripts written without spaces, such as
     *     Chinese, Japanese kana and Thai, have a boundary between every two characters)
     */
    public static boolean isSpanBoundary(String s, int i) {
        return isSpanBoundary(s, i, i <= 0 || i >= s.length() || isBoundary(s, i));
    }

    /**
     * As {@link #isSpanBoundary(String, int)}, with the visible-character boundary already known (from
     * {@link #boundaries(String)}, made once for a text).
     *
     * @param s a text
     * @param i an index in {@code [0, s.length()]}
     * @param graphemeBoundary whether {@code i} is a {@linkplain #isBoundary(String, int) visible character's
     *     boundary}
     * @return whether an entity span may start or end at {@code i}
     */
    public static boolean isSpanBoundary(String s, int i, boolean graphemeBoundary) {
        if (i <= 0 || i >= s.length()) {
            return true;
        }
        if (!graphemeBoundary) {
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
                || t == Character.ENCLOSING_MARK || cp == ZWJ;
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

    private static boolean isControl(int cp) {
        if (cp == ZWJ || cp == ZWNJ || isTag(cp) || isPrepend(cp)) {
            return false;
        }
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.LINE_SEPARATOR || t == Character.PARAGRAPH_SEPARATOR
                || t == Character.FORMAT || t == Character.SURROGATE;
    }

    /** Grapheme_Extend, roughly: marks, the non-joiner, skin-tone modifiers, tags, halfwidth sound marks. */
    static boolean isExtend(int cp) {
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK || cp == ZWNJ || (cp >= 0x1F3FB && cp <= 0x1F3FF) || isTag(cp)
                || cp == 0xFF9E || cp == 0xFF9F;
    }

    private static boolean isTag(int cp) {
        return cp >= 0xE0020 && cp <= 0xE007F;
    }

    private static boolean isPrepend(int cp) {
        return (cp >= 0x0600 && cp <= 0x0605) || cp == 0x06DD || cp == 0x070F || cp == 0x0890 || cp == 0x0891
                || cp == 0x08E2 || cp == 0x110BD || cp == 0x110CD;
    }

    private static boolean isRegionalIndicator(int cp) {
        return cp >= 0x1F1E6 && cp <= 0x1F1FF;
    }

    private static boolean isHangulJoined(int before, int after) {
        char b = hangul(before);
        char a = hangul(after);
        return switch (b) {
            case 'L' -> a == 'L' || a == 'V' || a == 'S' || a == 'Z';
            case 'V', 'S' -> a == 'V' || a == 'T';
            case 'T', 'Z' -> a == 'T';
            default -> false;
        };
    }

    /** L, V, T jamo; S an LV syllable, Z an LVT syllable; 0 otherwise. */
    private static char hangul(int cp) {
        if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0xA960 && cp <= 0xA97C)) {
            return 'L';
        }
        if ((cp >= 0x1160 && cp <= 0x11A7) || (cp >= 0xD7B0 && cp <= 0xD7C6)) {
            return 'V';
        }
        if ((cp >= 0x11A8 && cp <= 0x11FF) || (cp >= 0xD7CB && cp <= 0xD7FB)) {
            return 'T';
        }
        if (cp >= 0xAC00 && cp <= 0xD7A3) {
            return (cp - 0xAC00) % 28 == 0 ? 'S' : 'Z';
        }
        return 0;
    }
}
