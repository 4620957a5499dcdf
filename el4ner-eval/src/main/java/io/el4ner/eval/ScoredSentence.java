package io.el4ner.eval;

import java.util.List;
import java.util.Objects;

/**
 * One sentence as the scorer sees it: the gold tag and the predicted tag of every token, e.g. {@code B-PER},
 * {@code I-PER}, {@code O}.
 *
 * @param gold the gold tags, one per token
 * @param predicted the predicted tags, as many as gold tags
 * @param firstLine the 1-based line of the first token in the file it was read from, 0 when unknown; used in
 *     error messages
 * @since 0.1
 */
public record ScoredSentence(List<String> gold, List<String> predicted, int firstLine) {
    /**
     * @throws IllegalArgumentException if the lists differ in length or {@code firstLine} is negative
     * @throws NullPointerException if a list or a tag is null
     */
    public ScoredSentence {
        gold = List.copyOf(Objects.requireNonNull(gold, "gold"));
        predicted = List.copyOf(Objects.requireNonNull(predicted, "predicted"));
        if (gold.size() != predicted.size()) {
            throw new IllegalArgumentException("a sentence needs one predicted tag per gold tag, got "
                    + gold.size() + " gold and " + predicted.size() + " predicted tags");
        }
        if (firstLine < 0) {
            throw new IllegalArgumentException("firstLine must be >= 0, got " + firstLine);
        }
    }

    /**
     * @param gold the gold tags
     * @param predicted the predicted tags, as many as gold tags
     * @return the sentence, with no line number
     */
    public static ScoredSentence of(List<String> gold, List<String> predicted) {
        return new ScoredSentence(gold, predicted, 0);
    }

    /** @return the number of tokens */
    public int size() {
        return gold.size();
    }
}
