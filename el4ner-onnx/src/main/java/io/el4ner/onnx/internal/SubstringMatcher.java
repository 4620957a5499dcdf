package io.el4ner.onnx.internal;

import io.el4ner.api.AnswerContract.StringShape;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The inside of a JSON string that must be a substring of the sentence, byte by byte, as a deterministic automaton
 * built lazily.
 *
 * <p>It matches the sentence <em>as a JSON string writes it</em>, in one canonical form ({@link #escape}): {@code "}
 * and {@code \} escaped with a backslash, the control characters with their two-character escapes where JSON has one
 * and {@code \}{@code u00XX} otherwise, a lone surrogate as {@code \}{@code uXXXX}, everything else as its UTF-8.
 * Other spellings JSON allows ({@code \}{@code u00e9} for é, {@code \/}) are not offered: one spelling per
 * substring keeps the automaton deterministic, and the model is steered to it. A state is the set of positions in the
 * escaped sentence where the bytes read so far end, for the occurrences that began where a string may start
 * ({@link StringShape#mayStartAt}: on a code point that is not whitespace, never inside an escape or a UTF-8
 * sequence); positions from which no allowed end ({@link StringShape#mayEndAt}) can be reached are dropped, so that
 * every state can still be closed. The closing quote is allowed where some position is an allowed end, and never in
 * the first state (the string is not empty). A raw {@code "} in the escaped sentence always follows a backslash, so
 * where the string may close no position can continue with {@code "}: closing and continuing never compete.
 *
 * <p>States are interned (a state is its sorted positions), and each state's transitions are computed the first
 * time they are asked for. Not thread-safe: one matcher serves one request.
 */
final class SubstringMatcher {
    /** The state before the first byte: every allowed start. */
    static final int INITIAL = 0;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private final byte[] text;
    private final boolean[] endOk;
    private final int lastEnd;
    private final List<int[]> sets = new ArrayList<>();
    private final Map<Key, Integer> ids = new HashMap<>();
    /** Per state: its transitions (null until computed), the bytes sorted, and whether it may close. */
    private byte[][] outBytes = new byte[16][];
    private int[][] outTargets = new int[16][];
    private boolean[] closable = new boolean[16];

    SubstringMatcher(String sentence) {
        ByteSink escaped = new ByteSink(sentence.length() + 16);
        boolean[] starts = new boolean[sentence.length() * 6 + 1];
        boolean[] ends = new boolean[sentence.length() * 6 + 1];
        for (int i = 0; i < sentence.length(); ) {
            int cp = sentence.codePointAt(i);
            int next = i + Character.charCount(cp);
            starts[escaped.size()] = StringShape.mayStartAt(sentence, i);
            escape(cp, escaped);
            ends[escaped.size()] = StringShape.mayEndAt(sentence, next);
            i = next;
        }
        this.text = escaped.toArray();
        this.endOk = Arrays.copyOf(ends, text.length + 1);
        int last = -1;
        for (int p = 0; p <= text.length; p++) {
            if (endOk[p]) {
                last = p;
            }
        }
        this.lastEnd = last;
        int count = 0;
        int[] initial = new int[text.length];
        for (int p = 0; p < text.length; p++) {
            if (starts[p] && p < last) {
                initial[count++] = p;
            }
        }
        intern(Arrays.copyOf(initial, count));
    }

    /** Appends a code point as the canonical JSON string writes it (without the quotes). */
    static void escape(int cp, ByteSink out) {
        switch (cp) {
            case '"' -> out.add('\\').add('"');
            case '\\' -> out.add('\\').add('\\');
            case '\b' -> out.add('\\').add('b');
            case '\f' -> out.add('\\').add('f');
            case '\n' -> out.add('\\').add('n');
            case '\r' -> out.add('\\').add('r');
            case '\t' -> out.add('\\').add('t');
            default -> {
                if (cp < 0x20 || Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                    out.add('\\').add('u').add(HEX[cp >> 12 & 15]).add(HEX[cp >> 8 & 15]).add(HEX[cp >> 4 & 15])
                            .add(HEX[cp & 15]);
                } else {
                    out.addAll(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** @return whether a string of this kind can be written at all: the sentence has a character to start one */
    boolean hasStart() {
        return sets.get(INITIAL).length > 0;
    }

    /** @return how many states have been made so far */
    int states() {
        return sets.size();
    }

    /**
     * @param state a state
     * @return whether the string may close here
     */
    boolean closable(int state) {
        expand(state);
        return closable[state];
    }

    /**
     * @param state a state
     * @param b a byte
     * @return the state after {@code b}, or -1 when {@code b} cannot follow
     */
    int next(int state, int b) {
        expand(state);
        byte[] bytes = outBytes[state];
        for (int i = 0; i < bytes.length; i++) {
            if ((bytes[i] & 0xFF) == b) {
                return outTargets[state][i];
            }
        }
        return -1;
    }

    /**
     * @param state a state
     * @param out receives the bytes that may follow (the closing quote not included), from index {@code from}
     * @param from where to write in {@code out}
     * @return the index after the last byte written
     */
    int followers(int state, int[] out, int from) {
        expand(state);
        byte[] bytes = outBytes[state];
        for (byte b : bytes) {
            out[from++] = b & 0xFF;
        }
        return from;
    }

    private void expand(int state) {
        if (outBytes[state] != null) {
            return;
        }
        int[] positions = sets.get(state);
        boolean close = false;
        // (byte, next position) pairs sorted: each byte's next positions come out together, in order
        long[] pairs = new long[positions.length];
        int m = 0;
        for (int p : positions) {
            close |= state != INITIAL && endOk[p];
            if (p < text.length && p + 1 <= lastEnd) {
                pairs[m++] = (long) (text[p] & 0xFF) << 32 | (p + 1);
            }
        }
        Arrays.sort(pairs, 0, m);
        int distinct = 0;
        for (int i = 0; i < m; i++) {
            distinct += i == 0 || pairs[i] >>> 32 != pairs[i - 1] >>> 32 ? 1 : 0;
        }
        byte[] bytes = new byte[distinct];
        int[] targets = new int[distinct];
        for (int i = 0, k = 0; i < m; k++) {
            int j = i;
            while (j < m && pairs[j] >>> 32 == pairs[i] >>> 32) {
                j++;
            }
            int[] group = new int[j - i];
            for (int x = i; x < j; x++) {
                group[x - i] = (int) pairs[x];
            }
            bytes[k] = (byte) (pairs[i] >>> 32);
            targets[k] = intern(group);
            i = j;
        }
        // intern may have grown the arrays: store after it
        outBytes[state] = bytes;
        outTargets[state] = targets;
        closable[state] = close;
    }

    private int intern(int[] positions) {
        Key key = new Key(positions);
        Integer id = ids.get(key);
        if (id != null) {
            return id;
        }
        int n = sets.size();
        sets.add(positions);
        ids.put(key, n);
        if (n == outBytes.length) {
            outBytes = Arrays.copyOf(outBytes, n * 2);
            outTargets = Arrays.copyOf(outTargets, n * 2);
            closable = Arrays.copyOf(closable, n * 2);
        }
        return n;
    }

    private static final class Key {
        private final int[] positions;
        private final int hash;

        Key(int[] positions) {
            this.positions = positions;
            this.hash = Arrays.hashCode(positions);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(positions, k.positions);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A growable byte array. */
    static final class ByteSink {
        private byte[] bytes;
        private int size;

        ByteSink(int capacity) {
            bytes = new byte[Math.max(capacity, 16)];
        }

        ByteSink add(int b) {
            if (size == bytes.length) {
                bytes = Arrays.copyOf(bytes, size * 2);
            }
            bytes[size++] = (byte) b;
            return this;
        }

        ByteSink addAll(byte[] b) {
            for (byte x : b) {
                add(x);
            }
            return this;
        }

        int size() {
            return size;
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, size);
        }
    }
}
