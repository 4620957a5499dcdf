package io.el4ner.core.internal.retrieval;

import java.util.Locale;
import java.util.Set;

/**
 * The default {@link SpanWeigher}: the reference implementation's part-of-speech weights (proper noun 4, common
 * noun 2, pronoun 1, other 0) without a part-of-speech tagger. Each whitespace-separated token of the span gets
 * a class, and the span gets the weight of its highest class, as the paper's method notes recommend for
 * multi-word spans (a tagger on the first word alone would give "The Bush administration" weight 0):
 * <ul>
 *   <li><b>pronoun</b>: an English personal, possessive, reflexive or demonstrative pronoun from a closed list
 *       ("he", "their", "this", ...), in any case except all capitals of two or more letters ("US", "IT" are
 *       acronyms);</li>
 *   <li><b>other</b> (weight 0): the articles "the", "a", "an", and tokens with no letter ("1996", "%");</li>
 *   <li><b>proper noun</b>: a token with an upper-case letter ("Paris", "iPhone", "NATO"). Capitalisation is
 *       only a hint: a sentence-initial common noun counts as proper;</li>
 *   <li><b>common noun</b>: any other token with a letter, including scripts without case.</li>
 * </ul>
 * So "trial lawyers" weighs 2, "their" 1, "The Bush administration" 4 and "1996" 0. Immutable.
 */
public final class EnglishSpanWeigher implements SpanWeigher {
    /** Proper noun 4, common noun 2, pronoun 1: the reference implementation's values. */
    public static final EnglishSpanWeigher DEFAULT = new EnglishSpanWeigher(4, 2, 1);

    private static final Set<String> PRONOUNS = Set.of(
            "i", "me", "my", "mine", "myself", "you", "your", "yours", "yourself", "yourselves",
            "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
            "we", "us", "our", "ours", "ourselves", "they", "them", "their", "theirs", "themselves",
            "this", "that", "these", "those");
    private static final Set<String> ARTICLES = Set.of("the", "a", "an");

    private final double properNoun;
    private final double commonNoun;
    private final double pronoun;

    /**
     * @param properNoun weight of a proper noun, finite and {@code >= 0}
     * @param commonNoun weight of a common noun, finite and {@code >= 0}
     * @param pronoun weight of a pronoun, finite and {@code >= 0}
     * @throws IllegalArgumentException if a weight is negative or not finite
     */
    public EnglishSpanWeigher(double properNoun, double commonNoun, double pronoun) {
        for (double w : new double[] {properNoun, commonNoun, pronoun}) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("span weights must be finite and >= 0, got " + w);
            }
        }
        this.properNoun = properNoun;
        this.commonNoun = commonNoun;
        this.pronoun = pronoun;
    }

    @Override
    public double weight(String span) {
        double best = 0;
        boolean any = false;
        for (String token : span.strip().split("\\s+")) {
            double w = switch (classify(token)) {
                case PROPER -> properNoun;
                case COMMON -> commonNoun;
                case PRONOUN -> pronoun;
                case OTHER -> -1;
            };
            if (w >= 0 && (!any || w > best)) {
                best = w;
                any = true;
            }
        }
        return any ? best : 0;
    }

    enum Kind { PROPER, COMMON, PRONOUN, OTHER }

    static Kind classify(String token) {
        int letters = 0;
        int upper = 0;
        StringBuilder word = new StringBuilder(token.length());
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetter(cp)) {
                letters++;
                if (Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
                    upper++;
                }
                word.appendCodePoint(cp);
            } else if (cp == '\'' || cp == '\u2019') {
                word.appendCodePoint(cp);
            }
        }
        if (letters == 0) {
            return Kind.OTHER;
        }
        String lower = word.toString().toLowerCase(Locale.ROOT);
        boolean acronym = letters >= 2 && upper == letters;
        if (PRONOUNS.contains(lower) && !acronym) {
            return Kind.PRONOUN;
        }
        if (ARTICLES.contains(lower) && !acronym) {
            return Kind.OTHER;
        }
        return upper > 0 ? Kind.PROPER : Kind.COMMON;
    }

    @Override
    public String toString() {
        return "EnglishSpanWeigher[properNoun=" + properNoun + ", commonNoun=" + commonNoun + ", pronoun="
                + pronoun + "]";
    }
}
