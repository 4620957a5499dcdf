package io.el4ner.eval;

import io.el4ner.api.El4nerException;

/**
 * A tag that strict scoring does not accept under its scheme, e.g. {@code E-PER} under IOB2 or a tag without a
 * {@code B-}/{@code I-}/{@code E-}/{@code S-} prefix and a type. The message names the line when the sentence
 * knows it ({@link ScoredSentence#firstLine()}), otherwise the sentence and token.
 *
 * @since 0.1
 */
public final class StrictTagException extends El4nerException {
    private static final long serialVersionUID = 1L;
    private final int sentence;
    private final int token;
    private final int line;
    private final String tag;

    StrictTagException(int sentence, int token, int line, String tag, String problem) {
        super((line > 0 ? "line " + line : "sentence " + sentence + ", token " + token) + ": " + problem);
        this.sentence = sentence;
        this.token = token;
        this.line = line;
        this.tag = tag;
    }

    /** @return the 0-based sentence index */
    public int sentence() {
        return sentence;
    }

    /** @return the 0-based token index in the sentence */
    public int token() {
        return token;
    }

    /** @return the 1-based line number, 0 when unknown */
    public int line() {
        return line;
    }

    /** @return the tag */
    public String tag() {
        return tag;
    }
}
