package io.el4ner.onnx.internal;

import io.el4ner.api.AnswerContract.StringShape;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The inside of a JSON string that must be a substring of the sentence, read byte by byte.
 *
 * <p>It matches the sentence <em>as a JSON string writes it</em>, in one canonical form ({@link #escape}): {@code "}
 * and {@code \} escaped with a backslash, the control characters with their two-character escapes where JSON has one
 * and a six-character {@code \}{@code u00XX} escape otherwise, a lone surrogate as {@code \}{@code uXXXX}, everything
 * else as its UTF-8. Other spellings that JSON allows (an escaped {@code é}, {@code \/}) are not offered: one spelling
 * per substring keeps the reading deterministic, and the model is steered to it.
 *
 * <p>What has been read is described by a <em>position set</em>: the positions in the escaped sentence where the bytes
 * read so far end, for the occurrences that began where a string may start ({@link StringShape#mayStartAt}: on a code
 * point that is not whitespace, never inside an escape or a UTF-8 sequence), kept sorted. Positions from which no
 * allowed end ({@link StringShape#mayEndAt}) can be reached are dropped, so every non-empty set can still be closed.
 * The closing quote is allowed where some position is an allowed end, never before the first byte (the string is not
 * empty). A raw {@code "} in the escaped sentence always follows a backslash, so where the string may close no
 * position continues with {@code "}: closing and continuing never compete.
 *
 * <p>Reading a byte filters the set in one pass, so a step costs the number of occurrences still alive, not the
 * sentence's length; the sets live in the caller's buffers, and nothing is allocated or hashed per byte. Immutable
 * after construction and safe to share; one is made per request.
 */
final class SubstringMatcher {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private final byte[] text;
    private final boolean[] endOk;
    private final int lastEnd;
    private final int[] initial;

    SubstringMatcher(String sentence) {
        ByteSink escaped = new ByteSink(sentence.length() + 16);
        boolean[] starts = new boolean[sentence.length() * 6 + 1];
        boolean[] ends = new boolean[sentence.length() * 6 + 1];
        boolean[] startAt = StringShape.starts(sentence);
        boolean[] endAt = StringShape.ends(sentence);
        for (int i = 0; i < sentence.length(); ) {
            int cp = sentence.codePointAt(i);
            int next = i + Character.charCount(cp);
            starts[escaped.size()] = startAt[i];
            escape(cp, escaped);
            ends[escaped.size()] = endAt[next];
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
        int[] first = new int[text.length];
        for (int p = 0; p < last; p++) {
            if (starts[p]) {
                first[count++] = p;
            }
        }
        this.initial = Arrays.copyOf(first, count);
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
                if (cp < 0x20 || cp <= 0xFFFF && Character.isSurrogate((char) cp)) {
                    out.add('\\').add('u').add(HEX[cp >> 12 & 15]).add(HEX[cp >> 8 & 15]).add(HEX[cp >> 4 & 15])
                            .add(HEX[cp & 15]);
                } else if (cp < 0x80) {
                    out.add(cp);
                } else if (cp < 0x800) {
                    out.add(0xC0 | cp >> 6).add(0x80 | cp & 0x3F);
                } else if (cp < 0x10000) {
                    out.add(0xE0 | cp >> 12).add(0x80 | cp >> 6 & 0x3F).add(0x80 | cp & 0x3F);
                } else {
                    out.add(0xF0 | cp >> 18).add(0x80 | cp >> 12 & 0x3F).add(0x80 | cp >> 6 & 0x3F)
                            .add(0x80 | cp & 0x3F);
                }
            }
        }
    }

    /** @return the positions before the first byte: every allowed start (do not modify) */
    int[] initial() {
        return initial;
    }

    /** @return whether a string of this kind can be written at all: the sentence has a character to start one */
    boolean hasStart() {
        return initial.length > 0;
    }

    /** @return the length of the escaped sentence, which bounds every position set */
    int length() {
        return text.length;
    }

    /**
     * @param set positions after at least one byte
     * @param len how many
     * @return whether the string may close here
     */
    boolean closable(int[] set, int len) {
        for (int i = 0; i < len; i++) {
            if (endOk[set[i]]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a byte.
     *
     * @param set the positions so far
     * @param len how many
     * @param b the byte, 0..255
     * @param out receives the positions after it, sorted; at least {@code len} long
     * @return how many; 0 when {@code b} cannot follow
     */
    int advance(int[] set, int len, int b, int[] out) {
        int n = 0;
        byte x = (byte) b;
        for (int i = 0; i < len; i++) {
            int p = set[i];
            if (p < lastEnd && text[p] == x) {
                out[n++] = p + 1;
            }
        }
        return n;
    }

    /**
     * The bytes that may follow, as a 256-bit mask (the closing quote not included).
     *
     * @param set the positions so far
     * @param len how many
     * @param mask receives the bits, 4 longs, cleared first
     */
    void followers(int[] set, int len, long[] mask) {
        mask[0] = 0;
        mask[1] = 0;
        mask[2] = 0;
        mask[3] = 0;
        for (int i = 0; i < len; i++) {
            int p = set[i];
            if (p < lastEnd) {
                int b = text[p] & 0xFF;
                mask[b >>> 6] |= 1L << b;
            }
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
