package io.el4ner.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunk counting of conlleval (the CoNLL shared-task script, version 2004-01-26), re-implemented from its
 * documented behaviour: one pass over the token stream, sentence boundaries being tokens tagged {@code O} in both
 * columns. Counts are also attributed to sentences for the bootstrap: a gold or predicted chunk to the sentence
 * where it starts, a correct chunk to the sentence where its match began.
 */
final class ConllevalScorer {
    private static final String OUTSIDE = "O";

    // state of the stream
    private String lastGold = OUTSIDE;
    private String lastGoldType = "";
    private String lastPred = OUTSIDE;
    private String lastPredType = "";
    private boolean inCorrect;
    private int inCorrectSentence = -1;

    private final Map<String, int[]> perType = new HashMap<>(); // {correct, predicted, gold}
    private final int[] sentenceTp;
    private final int[] sentencePredicted;
    private final int[] sentenceGold;

    private ConllevalScorer(int sentences) {
        sentenceTp = new int[sentences];
        sentencePredicted = new int[sentences];
        sentenceGold = new int[sentences];
    }

    static ScoreReport score(List<ScoredSentence> sentences, boolean boundaryAfterLast) {
        ConllevalScorer scorer = new ConllevalScorer(sentences.size());
        for (int s = 0; s < sentences.size(); s++) {
            ScoredSentence sentence = sentences.get(s);
            List<String> gold = sentence.gold();
            List<String> predicted = sentence.predicted();
            for (int t = 0; t < gold.size(); t++) {
                scorer.step(gold.get(t), predicted.get(t), s);
            }
            if (s < sentences.size() - 1 || boundaryAfterLast) {
                scorer.step(OUTSIDE, OUTSIDE, s);
            }
        }
        scorer.finish();
        Map<String, Score> types = new HashMap<>();
        scorer.perType.forEach((type, c) -> types.put(type, Score.of(c[0], c[1], c[2])));
        return new ScoreReport(types, scorer.sentenceTp, scorer.sentencePredicted, scorer.sentenceGold);
    }

    private void step(String goldTag, String predTag, int sentence) {
        int gDash = goldTag.indexOf('-');
        String gold = gDash < 0 ? goldTag : goldTag.substring(0, gDash);
        String goldType = gDash < 0 ? "" : perlTruth(goldTag.substring(gDash + 1));
        int pDash = predTag.indexOf('-');
        String pred = pDash < 0 ? predTag : predTag.substring(0, pDash);
        String predType = pDash < 0 ? "" : perlTruth(predTag.substring(pDash + 1));

        if (inCorrect) {
            boolean goldEnds = endOfChunk(lastGold, gold, lastGoldType, goldType);
            boolean predEnds = endOfChunk(lastPred, pred, lastPredType, predType);
            if (goldEnds && predEnds && lastPredType.equals(lastGoldType)) {
                inCorrect = false;
                count(lastGoldType, 0);
                sentenceTp[inCorrectSentence]++;
            } else if (goldEnds != predEnds || !predType.equals(goldType)) {
                inCorrect = false;
            }
        }
        boolean goldStarts = startOfChunk(lastGold, gold, lastGoldType, goldType);
        boolean predStarts = startOfChunk(lastPred, pred, lastPredType, predType);
        if (goldStarts && predStarts && predType.equals(goldType)) {
            inCorrect = true;
            inCorrectSentence = sentence;
        }
        if (goldStarts) {
            count(goldType, 2);
            sentenceGold[sentence]++;
        }
        if (predStarts) {
            count(predType, 1);
            sentencePredicted[sentence]++;
        }
        lastGold = gold;
        lastGoldType = goldType;
        lastPred = pred;
        lastPredType = predType;
    }

    private void finish() {
        if (inCorrect) {
            count(lastGoldType, 0);
            sentenceTp[inCorrectSentence]++;
            inCorrect = false;
        }
    }

    private void count(String type, int which) {
        perType.computeIfAbsent(type, k -> new int[3])[which]++;
    }

    /** The script keeps a type only when it is true in Perl: the types "" and "0" are both "". */
    private static String perlTruth(String type) {
        return type.equals("0") ? "" : type;
    }

    /** Whether a chunk ended between the previous and the current token. */
    static boolean endOfChunk(String prevTag, String tag, String prevType, String type) {
        boolean end = switch (prevTag) {
            case "B", "I" -> tag.equals("B") || tag.equals("O");
            case "E" -> tag.equals("E") || tag.equals("I") || tag.equals("O");
            case "[", "]" -> true;
            default -> false;
        };
        return end || !prevTag.equals(OUTSIDE) && !prevTag.equals(".") && !prevType.equals(type);
    }

    /** Whether a chunk started between the previous and the current token. */
    static boolean startOfChunk(String prevTag, String tag, String prevType, String type) {
        boolean start = switch (tag) {
            case "B" -> prevTag.equals("B") || prevTag.equals("I") || prevTag.equals("O");
            case "I" -> prevTag.equals("O") || prevTag.equals("E");
            case "E" -> prevTag.equals("E") || prevTag.equals("O");
            case "[", "]" -> true;
            default -> false;
        };
        return start || !tag.equals(OUTSIDE) && !tag.equals(".") && !prevType.equals(type);
    }
}
