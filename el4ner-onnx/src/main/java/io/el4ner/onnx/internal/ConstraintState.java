package io.el4ner.onnx.internal;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * Where one constrained answer stands: the tokens that may come next ({@link #allowed(BitSet)}), and the answer
 * moved on by the chosen token ({@link #advance(int)}). Made by {@link JsonConstraint#start}. Not thread-safe: one
 * state follows one answer.
 */
public final class ConstraintState {
    private final JsonConstraint constraint;
    private JsonConstraint.Cursor at;
    private final SubstringMatcher.ByteSink written = new SubstringMatcher.ByteSink(64);
    private int tokens;
    private boolean ended;

    ConstraintState(JsonConstraint constraint) {
        this.constraint = constraint;
        this.at = constraint.cursor();
    }

    /**
     * Sets in {@code out} exactly the tokens that may come next, clearing the others: while the answer is incomplete,
     * the tokens whose bytes keep it a prefix of an answer the contract allows (from which a complete one can still
     * be written); once it is complete, only the end tokens (none if the tokenizer has none: stop then).
     *
     * @param out the mask to fill; grown as needed, up to the tokenizer's {@link TokenBytes#size()}
     * @throws NoValidAnswerException if no token can continue an incomplete answer, which the constraint's
     *     construction rules out (a clear error rather than a decoding loop with nothing to choose)
     */
    public void allowed(BitSet out) {
        out.clear();
        if (isComplete()) {
            for (int id : constraint.tokens().endTokenIds()) {
                out.set(id);
            }
            return;
        }
        constraint.mask(at, out);
        if (out.isEmpty()) {
            throw new NoValidAnswerException("no token can continue the answer of " + constraint.contract().name()
                    + " after " + tokens + " tokens: '" + text() + "'");
        }
    }

    /**
     * Moves the answer on by a token. After the answer is complete only an end token may come, and it changes nothing.
     *
     * @param tokenId the chosen token
     * @throws IllegalArgumentException if the token is not {@linkplain #allowed(BitSet) allowed} here
     */
    public void advance(int tokenId) {
        if (isComplete()) {
            if (!constraint.tokens().isEndToken(tokenId)) {
                throw new IllegalArgumentException("the answer is complete; only an end token may follow, not token "
                        + tokenId);
            }
            ended = true;
            tokens++;
            return;
        }
        byte[] bytes = constraint.tokens().bytesUnsafe(tokenId);
        JsonConstraint.Cursor next = at.copy();
        if (bytes == null || !next.step(bytes) || !next.isLive()) {
            throw new IllegalArgumentException("token " + tokenId + " is not allowed after '" + text() + "'");
        }
        at = next;
        written.addAll(bytes);
        tokens++;
    }

    /** @return whether the answer is complete: its JSON has closed; only end tokens may follow */
    public boolean isComplete() {
        return JsonConstraint.isComplete(at.state);
    }

    /** @return whether an end token has followed the complete answer */
    public boolean isEnded() {
        return ended;
    }

    /** @return the tokens advanced so far, an end token included */
    public int tokens() {
        return tokens;
    }

    JsonConstraint constraint() {
        return constraint;
    }

    JsonConstraint.Cursor cursor() {
        return at;
    }

    /** @return the bytes written so far as text (a character cut by the last token shows as U+FFFD) */
    public String text() {
        return new String(written.toArray(), StandardCharsets.UTF_8);
    }
}
