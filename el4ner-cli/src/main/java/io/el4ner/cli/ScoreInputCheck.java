package io.el4ner.cli;

import io.el4ner.eval.Scheme;
import io.el4ner.eval.ScoredSentence;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that {@code el4ner score} runs before it prints a number, so that the wrong input is refused with what to
 * do instead of a confident wrong score:
 *
 * <ul>
 *   <li>{@link #columns}: the file has a gold and a predicted column. The second-to-last item must hold tags
 *       (at least half of its values {@code O} or {@code B-}/{@code I-}/{@code E-}/{@code S-}{@code TYPE}), and
 *       must not be a chunk column next to an entity column: gold types that are all CoNLL-2000 chunk types
 *       ({@code NP}, {@code VP}, {@code ADJP}…) while the predicted types are none of them is a gold-only
 *       CoNLL-2003 file ({@code token POS chunk NER}), whose last two items are the chunk and the NER tag.</li>
 *   <li>{@link #strictGold}: in strict mode the gold tags must be well formed in the scheme, or strict decoding
 *       would drop gold entities and lower recall without a word; IOB1 gold (entities that start with {@code I-})
 *       under IOB2 is the common case, and the message says to pass {@code --scheme iob1}.</li>
 *   <li>{@link #strictPredictedIob1}: in strict mode with the scheme detected, not given, predicted tags in which
 *       more entities start with {@code I-} than there are {@code B-} tags are IOB1, not sloppy IOB2.</li>
 * </ul>
 *
 * Conlleval mode reads {@code I-} after {@code O} as a start, like the script, so only {@link #columns} applies.
 */
final class ScoreInputCheck {
    /** The chunk types of CoNLL-2000 (and the chunk column of CoNLL-2003). */
    static final Set<String> CHUNK_TYPES = Set.of("NP", "VP", "PP", "ADJP", "ADVP", "SBAR", "PRT", "CONJP", "INTJ",
            "LST", "UCP");

    private static final Pattern TAG_PROBLEM = Pattern.compile("tag (\\d+): (.*)", Pattern.DOTALL);

    private ScoreInputCheck() {
    }

    /**
     * @param sentences the parsed file
     * @param items the number of items a line (0 when unknown)
     * @return why the file has no usable gold and predicted column, with what to do, or null when it has them
     */
    static String columns(List<ScoredSentence> sentences, int items) {
        int tokens = 0;
        int notTags = 0;
        String firstNotTag = null;
        int firstNotTagLine = 0;
        Set<String> goldTypes = new TreeSet<>();
        Set<String> predictedTypes = new TreeSet<>();
        String firstChunk = null;
        int firstChunkLine = 0;
        for (ScoredSentence s : sentences) {
            for (int t = 0; t < s.size(); t++) {
                tokens++;
                String g = s.gold().get(t);
                if (!Scheme.isWellFormed(g)) {
                    notTags++;
                    if (firstNotTag == null) {
                        firstNotTag = g;
                        firstNotTagLine = line(s, t);
                    }
                } else if (!g.equals("O")) {
                    goldTypes.add(g.substring(2));
                    if (firstChunk == null) {
                        firstChunk = g;
                        firstChunkLine = line(s, t);
                    }
                }
                String p = s.predicted().get(t);
                if (Scheme.isWellFormed(p) && !p.equals("O")) {
                    predictedTypes.add(p.substring(2));
                }
            }
        }
        String itemsText = items > 0 ? " (item " + (items - 1) + " of " + items + ")" : "";
        String append = "A conlleval file has the gold and the predicted tag as its last two items "
                + "('token ... gold predicted'): append the predicted tag to every line and score that file.";
        if (tokens > 0 && notTags * 2 > tokens) {
            return "no prediction column: the gold column" + itemsText + " does not hold tags ("
                    + String.format(Locale.ROOT, "%,d of %,d", notTags, tokens)
                    + " values are not O or B-/I-/E-/S-TYPE, the first '" + firstNotTag
                    + "' at line " + firstNotTagLine + "), so the file holds one tag column at most. " + append;
        }
        boolean chunkGold = !goldTypes.isEmpty() && CHUNK_TYPES.containsAll(goldTypes);
        boolean entityPredicted = !predictedTypes.isEmpty()
                && predictedTypes.stream().noneMatch(CHUNK_TYPES::contains);
        if (chunkGold && entityPredicted) {
            return "no prediction column: the gold column" + itemsText + " holds chunk tags (types "
                    + String.join(", ", goldTypes) + "; the first '" + firstChunk + "' at line " + firstChunkLine
                    + ") and the last column entity tags (types " + String.join(", ", predictedTypes)
                    + "): this is a gold-only file such as CoNLL-2003's 'token POS chunk NER'. " + append;
        }
        return null;
    }

    /**
     * @param sentences the parsed file
     * @param scheme the scheme of strict scoring
     * @param explicit whether {@code --scheme} gave it
     * @return why strict scoring in {@code scheme} would drop gold entities, with what to pass, or null
     */
    static String strictGold(List<ScoredSentence> sentences, Scheme scheme, boolean explicit) {
        if (scheme == Scheme.IOB1) {
            return null; // every B-/I-/O sequence is well-formed IOB1; E-/S- are reported by the scorer
        }
        int entities = 0;
        int iStarts = 0;
        String first = null;
        for (ScoredSentence s : sentences) {
            List<String> tags = s.gold();
            for (int t = 0; t < tags.size(); t++) {
                String tag = tags.get(t);
                if (!Scheme.isWellFormed(tag)) {
                    return null; // the scorer names the line of a tag that is not a tag
                }
                if (startsEntity(tags, t)) {
                    entities++;
                    if (tag.startsWith("I-")) {
                        iStarts++;
                    }
                }
                if (first == null && scheme == Scheme.IOB2 && tag.startsWith("I-") && startsEntity(tags, t)) {
                    first = "line " + line(s, t) + ": gold tag '" + tag + "' after '" + previous(tags, t) + "'";
                }
            }
            if (first == null && scheme == Scheme.BIOES) {
                first = bioesViolation(s);
            }
        }
        if (first == null) {
            return null;
        }
        String how = explicit ? "" : " (detected; --scheme sets it)";
        if (scheme == Scheme.BIOES) {
            return first + ": the gold tags are not well-formed BIOES" + how + ", and strict scoring would drop"
                    + " such gold entities. Fix the gold, pass --scheme iob2 or iob1 if it is not BIOES, or use"
                    + " --mode conlleval.";
        }
        String counts = String.format(Locale.ROOT, "%,d of %,d gold entities start with I-", iStarts,
                entities);
        if (iStarts * 2 >= entities) {
            return first + " starts an entity: the gold tags are IOB1 (as in CoNLL-2003), not IOB2" + how + "; "
                    + counts + ", and strict IOB2 scoring would drop them. Pass --scheme iob1 to score IOB1 tags"
                    + " strictly, or use --mode conlleval.";
        }
        return first + " starts an entity, which IOB2" + how + " does not allow; " + counts + ", and strict IOB2"
                + " scoring would drop them from the gold. Fix the gold, pass --scheme iob1 to read an I- after O"
                + " as the start of an entity (as conlleval does), or use --mode conlleval.";
    }

    /**
     * @param sentences the parsed file
     * @return why the predicted tags are IOB1 rather than IOB2, with what to pass, or null; only for a detected
     *     IOB2 scheme (an explicit {@code --scheme iob2} scores them as given)
     */
    static String strictPredictedIob1(List<ScoredSentence> sentences) {
        int iStarts = 0;
        int bTags = 0;
        int entities = 0;
        for (ScoredSentence s : sentences) {
            List<String> tags = s.predicted();
            for (int t = 0; t < tags.size(); t++) {
                String tag = tags.get(t);
                if (!Scheme.isWellFormed(tag)) {
                    return null;
                }
                if (tag.startsWith("B-")) {
                    bTags++;
                }
                if (startsEntity(tags, t)) {
                    entities++;
                    if (tag.startsWith("I-")) {
                        iStarts++;
                    }
                }
            }
        }
        if (iStarts == 0 || iStarts <= bTags) {
            return null;
        }
        return String.format(Locale.ROOT, "the predicted tags are IOB1, not IOB2 (detected): %,d of %,d"
                + " predicted entities start with I- and there are %,d B- tags, so strict IOB2 scoring would count"
                + " none of those entities. Pass --scheme iob1 to read them as IOB1, or --scheme iob2 to score"
                + " them as IOB2 anyway (an entity that starts with I- then counts as wrong).", iStarts, entities,
                bTags);
    }

    /** Whether tag {@code t} starts an entity as conlleval reads it (B-/S-, or I-/E- not continuing its type). */
    private static boolean startsEntity(List<String> tags, int t) {
        String tag = tags.get(t);
        if (tag.equals("O")) {
            return false;
        }
        char p = tag.charAt(0);
        if (p == 'B' || p == 'S') {
            return true;
        }
        String prev = previous(tags, t);
        return !(Scheme.isWellFormed(prev) && !prev.equals("O") && prev.charAt(0) != 'E' && prev.charAt(0) != 'S'
                && prev.substring(2).equals(tag.substring(2)));
    }

    private static String previous(List<String> tags, int t) {
        return t == 0 ? "O" : tags.get(t - 1);
    }

    /** @return "line N: problem" for the first tag of the sentence that BIOES does not allow there, or null */
    private static String bioesViolation(ScoredSentence s) {
        try {
            Scheme.BIOES.decodeStrict(s.gold());
            return null;
        } catch (IllegalArgumentException e) {
            Matcher m = TAG_PROBLEM.matcher(e.getMessage());
            return m.matches() ? "line " + line(s, Integer.parseInt(m.group(1))) + ": gold " + m.group(2)
                    : "line " + s.firstLine() + ": gold " + e.getMessage();
        }
    }

    private static int line(ScoredSentence s, int t) {
        return s.firstLine() == 0 ? 0 : s.firstLine() + t;
    }
}
