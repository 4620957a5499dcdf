package io.el4ner.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Entity-level scoring: an entity counts as correct only when its span and its type are both exact.
 *
 * <ul>
 *   <li>{@link #conlleval(List)}: the counts of the CoNLL shared-task script {@code conlleval} (version
 *       2004-01-26) on tag sequences: its chunk start and end rules over {@code B-}, {@code I-}, {@code E-},
 *       {@code O}, {@code [}, {@code ]} and {@code .} with the previous tag and type, so an {@code I-} after
 *       {@code O} starts a chunk, a type change starts one, IOB1 gold can be scored against IOB2 predictions,
 *       and the type is everything after the first {@code -} ({@code B-creative-work} has type
 *       {@code creative-work}). {@code S-} has no rule of its own there (it starts a chunk only by a type
 *       change); use {@link #strict(List, Scheme)} for BIOES.</li>
 *   <li>{@link #strict(List, Scheme)}: seqeval's strict mode: only well-formed entities of the scheme count.</li>
 *   <li>{@link #spans(int, Collection, Collection)}: sets of typed spans, e.g. nested entities.</li>
 * </ul>
 *
 * <p>All three return a {@link ScoreReport} with micro, per-type and macro scores and a bootstrap interval for
 * micro F1 over sentences. Scoring is linear in the number of tokens or spans.
 *
 * @since 0.1
 */
public final class Scorer {
    private Scorer() {
    }

    /**
     * Scores like conlleval a file whose sentences are each followed by a blank line.
     *
     * @param sentences the sentences, in file order
     * @return the report
     * @see #conlleval(List, boolean)
     */
    public static ScoreReport conlleval(List<ScoredSentence> sentences) {
        return conlleval(sentences, true);
    }

    /**
     * Scores like conlleval. The sentences form one token stream in which a sentence boundary is a token tagged
     * {@code O} in gold and prediction, exactly as the script reads a blank line; so a chunk ends at the end of
     * its sentence. Whether the last sentence is followed by a boundary changes the counts only for chunks that
     * the script does not close at {@code O} (those ending in a {@code .} tag or an untyped tag other than
     * {@code B}, {@code I}, {@code E}, {@code [}, {@code ]}).
     *
     * @param sentences the sentences, in file order
     * @param boundaryAfterLast whether the input ends with a boundary (a blank line) after its last token
     * @return the report: {@code tp} = correct chunks, {@code fp} = found guessed - correct,
     *     {@code fn} = found correct - correct, overall and per type
     */
    public static ScoreReport conlleval(List<ScoredSentence> sentences, boolean boundaryAfterLast) {
        Objects.requireNonNull(sentences, "sentences");
        return ConllevalScorer.score(sentences, boundaryAfterLast);
    }

    /**
     * Scores like seqeval's strict mode ({@code mode='strict'}) with the given scheme: the entities of gold and
     * prediction are decoded per sentence, ill-formed ones are dropped, and the two sets are compared.
     *
     * <ul>
     *   <li>IOB2: {@code B-T} followed by any number of {@code I-T} is an entity; an {@code I-} that does not
     *       continue a {@code B-} or {@code I-} of its type is no entity ({@code O I-PER} and the {@code I-LOC} of
     *       {@code B-PER I-LOC} are dropped, the {@code B-PER} stays).</li>
     *   <li>BIOES: {@code S-T} is an entity, and {@code B-T I-T* E-T}; a {@code B-} not closed by an
     *       {@code E-} of its type is no entity.</li>
     *   <li>IOB1 (CoNLL-2003; seqeval has no strict IOB1): an entity starts at {@code B-T} and at an {@code I-T}
     *       that does not continue one of type {@code T}, and takes every following {@code I-T}; every
     *       {@code B-}/{@code I-}/{@code O} sequence is well formed, so this is strict IOB2 scoring of the tags
     *       converted to IOB2 ({@link Scheme#convert}).</li>
     * </ul>
     *
     * <p>Every tag must be {@code O} or {@code P-TYPE} with a prefix {@code P} of the scheme ({@code B}, {@code I};
     * also {@code E}, {@code S} in BIOES) and a non-empty type (everything after the first {@code -}).
     *
     * @param sentences the sentences
     * @param scheme {@link Scheme#IOB2}, {@link Scheme#BIOES} or {@link Scheme#IOB1}
     * @return the report
     * @throws StrictTagException for a tag that is not of the scheme
     */
    public static ScoreReport strict(List<ScoredSentence> sentences, Scheme scheme) {
        Objects.requireNonNull(sentences, "sentences");
        Objects.requireNonNull(scheme, "scheme");
        List<ScoredSpan> gold = new ArrayList<>();
        List<ScoredSpan> predicted = new ArrayList<>();
        for (int s = 0; s < sentences.size(); s++) {
            ScoredSentence sentence = sentences.get(s);
            StrictDecoder.entities(s, sentence.gold(), sentence.firstLine(), "gold ", scheme, gold::add);
            StrictDecoder.entities(s, sentence.predicted(), sentence.firstLine(), "predicted ", scheme,
                    predicted::add);
        }
        return spans(sentences.size(), gold, predicted);
    }

    /**
     * The entities of one tag sequence as strict scoring sees them.
     *
     * @param sentence the sentence index the spans get
     * @param tags the tags
     * @param scheme {@link Scheme#IOB2}, {@link Scheme#BIOES} or {@link Scheme#IOB1}
     * @return the well-formed entities, token ranges {@code [start, end)}, in order
     * @throws StrictTagException for a tag that is not of the scheme
     */
    public static List<ScoredSpan> strictEntities(int sentence, List<String> tags, Scheme scheme) {
        List<ScoredSpan> out = new ArrayList<>();
        StrictDecoder.entities(sentence, List.copyOf(tags), 0, "", scheme, out::add);
        return List.copyOf(out);
    }

    /**
     * The scheme strict scoring should use for these sentences when none is given: {@link Scheme#BIOES} when
     * some gold or predicted tag starts with {@code E-} or {@code S-}, otherwise {@link Scheme#IOB2}.
     *
     * @param sentences the sentences
     * @return the scheme
     */
    public static Scheme detectStrictScheme(List<ScoredSentence> sentences) {
        for (ScoredSentence s : sentences) {
            for (int t = 0; t < s.size(); t++) {
                if (isBioesOnly(s.gold().get(t)) || isBioesOnly(s.predicted().get(t))) {
                    return Scheme.BIOES;
                }
            }
        }
        return Scheme.IOB2;
    }

    private static boolean isBioesOnly(String tag) {
        return tag.startsWith("E-") || tag.startsWith("S-");
    }

    /**
     * Scores sets of typed spans, for example nested entities: an entity is correct when the same
     * {@code (sentence, start, end, type)} is in both sets. Duplicates within a collection count once. The
     * bootstrap resamples sentences {@code 0 .. max sentence index}.
     *
     * @param gold the gold spans
     * @param predicted the predicted spans
     * @return the report
     */
    public static ScoreReport spans(Collection<ScoredSpan> gold, Collection<ScoredSpan> predicted) {
        int max = -1;
        for (ScoredSpan s : gold) {
            max = Math.max(max, s.sentence());
        }
        for (ScoredSpan s : predicted) {
            max = Math.max(max, s.sentence());
        }
        return spans(max + 1, gold, predicted);
    }

    /**
     * Scores sets of typed spans over a known number of sentences (sentences without any span still count in
     * the bootstrap).
     *
     * @param sentenceCount the number of sentences
     * @param gold the gold spans, each with a sentence index below {@code sentenceCount}
     * @param predicted the predicted spans, each with a sentence index below {@code sentenceCount}
     * @return the report: {@code tp} = spans in both sets, {@code fp} = predicted only, {@code fn} = gold only
     * @throws IllegalArgumentException if a span's sentence index is not below {@code sentenceCount}
     */
    public static ScoreReport spans(int sentenceCount, Collection<ScoredSpan> gold,
                                    Collection<ScoredSpan> predicted) {
        if (sentenceCount < 0) {
            throw new IllegalArgumentException("sentenceCount must be >= 0, got " + sentenceCount);
        }
        Set<ScoredSpan> goldSet = new HashSet<>(gold);
        Set<ScoredSpan> predictedSet = new HashSet<>(predicted);
        int[] tp = new int[sentenceCount];
        int[] predictedCount = new int[sentenceCount];
        int[] goldCount = new int[sentenceCount];
        Map<String, int[]> perType = new HashMap<>(); // {correct, predicted, gold}
        for (ScoredSpan s : goldSet) {
            check(s, sentenceCount);
            perType.computeIfAbsent(s.type(), k -> new int[3])[2]++;
            goldCount[s.sentence()]++;
        }
        for (ScoredSpan s : predictedSet) {
            check(s, sentenceCount);
            int[] c = perType.computeIfAbsent(s.type(), k -> new int[3]);
            c[1]++;
            predictedCount[s.sentence()]++;
            if (goldSet.contains(s)) {
                c[0]++;
                tp[s.sentence()]++;
            }
        }
        Map<String, Score> types = new HashMap<>();
        perType.forEach((type, c) -> types.put(type, Score.of(c[0], c[1], c[2])));
        return new ScoreReport(types, tp, predictedCount, goldCount);
    }

    private static void check(ScoredSpan s, int sentenceCount) {
        if (s.sentence() >= sentenceCount) {
            throw new IllegalArgumentException("span " + s + " is in sentence " + s.sentence() + " but there are "
                    + sentenceCount + " sentences");
        }
    }
}
