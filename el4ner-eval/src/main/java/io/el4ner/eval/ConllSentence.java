package io.el4ner.eval;

import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.TextRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One sentence of a CoNLL-style file: its tokens and their tags, and the sentence text rebuilt by joining the
 * tokens with single spaces. Token {@code i} covers exactly {@code [tokenStart(i), tokenEnd(i))} of
 * {@link #text()} (UTF-16 indices); character spans map back to tokens only when they start and end on token
 * boundaries, never by shifting them.
 *
 * @since 0.1
 */
public final class ConllSentence {
    private final String id;
    private final List<String> tokens;
    private final List<String> tags;
    private final int line;
    private final boolean documentStart;
    private final String text;
    private final int[] starts;
    private final int[] ends;

    /**
     * @param id a name for the sentence, e.g. {@code eng.train:3} (file and line of its first token)
     * @param tokens the tokens, none empty
     * @param tags one tag per token; checked only by the methods that decode them
     */
    public ConllSentence(String id, List<String> tokens, List<String> tags) {
        this(id, tokens, tags, 0, false);
    }

    /**
     * @param id a name for the sentence, e.g. {@code eng.train:3} (file and line of its first token)
     * @param tokens the tokens, none empty
     * @param tags one tag per token; checked only by the methods that decode them
     * @param line the 1-based line of the first token in its file, 0 if it comes from no file
     * @param documentStart whether a {@code -DOCSTART-} line came before this sentence and after the previous one
     */
    public ConllSentence(String id, List<String> tokens, List<String> tags, int line, boolean documentStart) {
        this.id = Objects.requireNonNull(id, "id");
        this.tokens = List.copyOf(tokens);
        this.tags = List.copyOf(tags);
        if (this.tokens.size() != this.tags.size()) {
            throw new IllegalArgumentException(id + ": " + this.tokens.size() + " tokens but " + this.tags.size()
                    + " tags");
        }
        this.line = line;
        this.documentStart = documentStart;
        starts = new int[this.tokens.size()];
        ends = new int[this.tokens.size()];
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < starts.length; i++) {
            String token = this.tokens.get(i);
            if (token.isEmpty()) {
                throw new IllegalArgumentException(id + ": token " + i + " is empty");
            }
            if (i > 0) {
                sb.append(' ');
            }
            starts[i] = sb.length();
            sb.append(token);
            ends[i] = sb.length();
        }
        text = sb.toString();
    }

    /** @return the sentence's name, e.g. {@code eng.train:3} */
    public String id() {
        return id;
    }

    /** @return the tokens */
    public List<String> tokens() {
        return tokens;
    }

    /** @return one tag per token, as read */
    public List<String> tags() {
        return tags;
    }

    /** @return the 1-based line of the first token in its file, 0 if it comes from no file */
    public int line() {
        return line;
    }

    /** @return whether a {@code -DOCSTART-} line came right before this sentence */
    public boolean documentStart() {
        return documentStart;
    }

    /** @return the number of tokens */
    public int size() {
        return tokens.size();
    }

    /** @return the tokens joined with single spaces */
    public String text() {
        return text;
    }

    /**
     * @param i a token index
     * @return the UTF-16 index in {@link #text()} where token {@code i} starts
     */
    public int tokenStart(int i) {
        return starts[i];
    }

    /**
     * @param i a token index
     * @return the UTF-16 index in {@link #text()} just after token {@code i}
     */
    public int tokenEnd(int i) {
        return ends[i];
    }

    /**
     * @param i a token index
     * @return {@code [tokenStart(i), tokenEnd(i))}
     */
    public TextRange tokenRange(int i) {
        return new TextRange(starts[i], ends[i]);
    }

    /**
     * @return the entities of the tags, decoded leniently ({@link Scheme#decode})
     * @throws IllegalArgumentException if a tag is malformed
     */
    public List<TokenSpan> spans() {
        return Scheme.decode(tags);
    }

    /**
     * @param span tokens of this sentence
     * @return the same entity as character offsets into {@link #text()}
     */
    public LabeledSpan toCharSpan(TokenSpan span) {
        if (span.end() > starts.length) {
            throw new IllegalArgumentException(span + " lies outside the " + starts.length + " tokens of " + id);
        }
        return new LabeledSpan(starts[span.start()], ends[span.end() - 1], span.type());
    }

    /**
     * @param span character offsets into {@link #text()}
     * @return the tokens it covers, or empty if it does not start at a token's start and end at a token's end
     */
    public Optional<TokenSpan> toTokenSpan(LabeledSpan span) {
        int first = Arrays.binarySearch(starts, span.start());
        int last = Arrays.binarySearch(ends, span.end());
        return first >= 0 && last >= first ? Optional.of(new TokenSpan(first, last + 1, span.type()))
                : Optional.empty();
    }

    /** @return the sentence's text and its entities as character spans, e.g. for a demonstration pool */
    public Demonstration toDemonstration() {
        List<LabeledSpan> spans = new ArrayList<>();
        for (TokenSpan s : spans()) {
            spans.add(toCharSpan(s));
        }
        return new Demonstration(text, spans);
    }

    /**
     * Tags character spans (predictions on {@link #text()}) in a scheme.
     *
     * @param spans character spans into {@link #text()}
     * @param scheme the scheme of the result
     * @return one tag per token
     * @throws IllegalArgumentException naming the span and its text if one does not align with token boundaries
     *     ({@link #toTokenSpan} tells beforehand), or if two overlap
     */
    public List<String> tagsFor(Collection<LabeledSpan> spans, Scheme scheme) {
        List<TokenSpan> tokenSpans = new ArrayList<>(spans.size());
        for (LabeledSpan s : spans) {
            tokenSpans.add(toTokenSpan(s).orElseThrow(() -> new IllegalArgumentException(id + ": span ["
                    + s.start() + ", " + s.end() + ") " + s.type() + " '"
                    + text.substring(Math.min(s.start(), text.length()), Math.min(s.end(), text.length()))
                    + "' does not start and end on token boundaries of: " + text)));
        }
        return scheme.encode(tokens.size(), tokenSpans);
    }

    /**
     * @param newTags one tag per token
     * @return this sentence with other tags, e.g. converted with {@link Scheme#convert}
     */
    public ConllSentence withTags(List<String> newTags) {
        return new ConllSentence(id, tokens, newTags, line, documentStart);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConllSentence s && id.equals(s.id) && tokens.equals(s.tokens) && tags.equals(s.tags)
                && line == s.line && documentStart == s.documentStart;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, tokens, tags, line, documentStart);
    }

    @Override
    public String toString() {
        return "ConllSentence[" + id + ": " + text + " " + tags + "]";
    }
}
