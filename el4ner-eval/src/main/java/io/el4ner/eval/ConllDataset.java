package io.el4ner.eval;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a dataset holds: sentences, tokens, entities (decoded leniently, {@link Scheme#decode}) and entities per
 * type.
 *
 * @param sentences the number of sentences
 * @param tokens the number of tokens ({@code -DOCSTART-} lines are not tokens)
 * @param entities the number of entities
 * @param documents the number of sentences right after a {@code -DOCSTART-} line
 * @param types entities per type, sorted by type name
 * @since 0.1
 */
public record ConllDataset(int sentences, int tokens, int entities, int documents,
        SortedMap<String, Integer> types) {
    /** Copies {@code types} into an unmodifiable sorted map. */
    public ConllDataset {
        types = Collections.unmodifiableSortedMap(new TreeMap<>(types));
    }

    /**
     * @param sentences the sentences, e.g. {@link ConllReader#read}
     * @return their summary
     * @throws IllegalArgumentException if a tag is malformed
     */
    public static ConllDataset of(Iterable<ConllSentence> sentences) {
        int s = 0;
        int t = 0;
        int e = 0;
        int d = 0;
        TreeMap<String, Integer> types = new TreeMap<>();
        for (ConllSentence sentence : sentences) {
            s++;
            t += sentence.size();
            d += sentence.documentStart() ? 1 : 0;
            for (TokenSpan span : sentence.spans()) {
                e++;
                types.merge(span.type(), 1, Integer::sum);
            }
        }
        return new ConllDataset(s, t, e, d, types);
    }

    /**
     * @param sentences the sentences, e.g. {@link ConllReader#stream}; consumed, not closed
     * @return their summary
     * @throws IllegalArgumentException if a tag is malformed
     */
    public static ConllDataset of(Stream<ConllSentence> sentences) {
        return of(sentences::iterator);
    }
}
