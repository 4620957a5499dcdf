package io.el4ner.onnx.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Optional;

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
    /** The bytes written up to the last point where the answer could be closed, and the bytes that close it there. */
    private int closableLength = -1;
    private byte[] closer;

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
        int closable = closableLength;
        byte[] close = closer;
        boolean ok = bytes != null;
        for (int i = 0; ok && i < bytes.length; i++) {
            ok = next.step(bytes[i] & 0xFF);
            byte[] c = ok ? constraint.closer(next.state) : null;
            if (c != null) {
                closable = written.size() + i + 1;
                close = c;
            }
        }
        if (!ok || !next.isLive()) {
            throw new IllegalArgumentException("token " + tokenId + " is not allowed after '" + text() + "'");
        }
        at = next;
        written.addAll(bytes);
        closableLength = closable;
        closer = close;
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

    /**
     * The answer as far as it is whole, closed: for an answer cut before it was complete (by a token limit), the bytes
     * up to the last point where every value begun was whole, followed by the closing brackets. An item being written
     * when the answer was cut is dropped, never completed with bytes the model did not write.
     *
     * @return the closed answer, the answer itself when it is complete, or empty when no point of the answer could
     *     be closed (it was cut before its list opened)
     */
    public Optional<Closed> closed() {
        if (isComplete()) {
            return Optional.of(new Closed(text(), 0));
        }
        if (closableLength < 0) {
            return Optional.empty();
        }
        byte[] all = written.toArray();
        byte[] out = Arrays.copyOf(all, closableLength + closer.length);
        System.arraycopy(closer, 0, out, closableLength, closer.length);
        return Optional.of(new Closed(new String(out, StandardCharsets.UTF_8), all.length - closableLength));
    }

    /**
     * An answer closed by {@link #closed()}.
     *
     * @param text the closed answer
     * @param droppedBytes the bytes of an incomplete item that were left out
     */
    public record Closed(String text, int droppedBytes) {
    }

    /** @return the bytes written so far */
    byte[] bytes() {
        return written.toArray();
    }

    /** @return the bytes written so far as text (a character cut by the last token shows as U+FFFD) */
    public String text() {
        return new String(written.toArray(), StandardCharsets.UTF_8);
    }
}
