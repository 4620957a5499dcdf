package io.el4ner.core.internal.text;

import io.el4ner.api.Graphemes;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.ModelMember;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a sentence that is too long for some member's context into overlapping windows of whole words, so that
 * nothing is truncated. The overlap (a fifth of a window) lets an entity cut by one window's edge be found whole
 * in the next.
 */
public final class Windows {
    private static final Pattern WORD = Pattern.compile("\\S+");

    private Windows() {
    }

    /**
     * @param text the whole text
     * @param sentence the sentence's range in it
     * @param members the members, each with its budget
     * @param budgetTokens tokens a sentence may take in each member's prompt, or 0 for a quarter of its context
     * @return the windows, one (the sentence itself) when it fits
     */
    public static List<TextRange> of(String text, TextRange sentence, List<ModelMember> members, int budgetTokens) {
        String s = text.substring(sentence.start(), sentence.end());
        if (fits(s, members, budgetTokens)) {
            return List.of(sentence);
        }
        List<TextRange> words = new ArrayList<>();
        Matcher m = WORD.matcher(s);
        while (m.find()) {
            words.addAll(splitLongWord(s, m.start(), m.end(), members, budgetTokens));
        }
        List<TextRange> out = new ArrayList<>();
        int i = 0;
        while (i < words.size()) {
            int j = i + 1;
            while (j < words.size()
                    && fits(s.substring(words.get(i).start(), words.get(j).end()), members, budgetTokens)) {
                j++;
            }
            out.add(new TextRange(sentence.start() + words.get(i).start(), sentence.start() + words.get(j - 1).end()));
            if (j >= words.size()) {
                break;
            }
            int overlap = (j - i) / 5;
            i = Math.max(i + 1, j - overlap);
        }
        return out;
    }

    private static List<TextRange> splitLongWord(String s, int start, int end, List<ModelMember> members,
                                                 int budgetTokens) {
        if (fits(s.substring(start, end), members, budgetTokens)) {
            return List.of(new TextRange(start, end));
        }
        // the visible-character boundaries inside the word, never cut (made once: linear on any text)
        boolean[] boundary = Graphemes.boundaries(s.substring(start, end));
        List<Integer> cuts = new ArrayList<>();
        for (int k = 1; k <= end - start; k++) {
            if (boundary[k]) {
                cuts.add(start + k);
            }
        }
        // each part is the longest run of whole visible characters that fits, found by bisection (a token
        // estimate is read for O(log n) prefixes per part, not for every character); at least one character
        List<TextRange> parts = new ArrayList<>();
        int from = start;
        int first = 0;
        while (from < end) {
            int lo = first;
            int hi = cuts.size() - 1;
            int best = first;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (fits(s.substring(from, cuts.get(mid)), members, budgetTokens)) {
                    best = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            parts.add(new TextRange(from, cuts.get(best)));
            from = cuts.get(best);
            first = best + 1;
        }
        return parts;
    }

    static boolean fits(String s, List<ModelMember> members, int budgetTokens) {
        for (ModelMember m : members) {
            int budget = budgetTokens > 0 ? budgetTokens : Math.max(16, m.contextTokens() / 4);
            if (m.estimateTokens(s) > budget) {
                return false;
            }
        }
        return true;
    }
}
