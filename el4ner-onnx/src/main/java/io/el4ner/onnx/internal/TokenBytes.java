package io.el4ner.onnx.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.el4ner.api.El4nerConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The raw bytes each token of a tokenizer writes, read once per tokenizer from its {@code tokenizer.json}, with a
 * trie of them for masking ({@link JsonConstraint}).
 *
 * <p>Two vocabularies are understood, told apart by the tokenizer's decoder (or, without one, its pre-tokenizer):
 * <ul>
 *   <li>{@linkplain Kind#BYTE_LEVEL byte-level BPE} (GPT-2, Llama 3, Qwen, SmolLM): each character of a token is one
 *       byte through GPT-2's byte↔unicode map, undone here;</li>
 *   <li>{@linkplain Kind#SENTENCE_PIECE SentencePiece} style (a {@code Metaspace} decoder, or {@code Replace} of
 *       {@code ▁} with {@code ByteFallback}: Llama 2, Mistral, Phi-3): {@code ▁} is a space, {@code <0xNN>} is the
 *       byte {@code NN}, anything else is its UTF-8. The space a SentencePiece decoder strips from the very start of
 *       a text is kept here: it is whitespace before the answer, which JSON allows.</li>
 * </ul>
 * Added tokens ({@code added_tokens}: special tokens, chat markers, tool tags) and the unknown token write nothing
 * that can be relied on and are never allowed inside an answer; the {@linkplain #isEndToken(int) end tokens} are
 * allowed only once the answer is complete. A token whose characters are not in the byte map, or that writes no byte,
 * is never allowed either.
 *
 * <p>Instances are immutable and thread-safe; one serves every request of a model.
 */
public final class TokenBytes {
    /** No vocabulary has this many ids; a tokenizer.json that claims more is refused rather than allocated. */
    static final int MAX_IDS = 1 << 24;
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String BYTE_FALLBACK_PREFIX = "<0x";

    /** How a vocabulary spells bytes. */
    public enum Kind {
        /** GPT-2's byte-level BPE: every byte is one printable character. */
        BYTE_LEVEL,
        /** SentencePiece: {@code ▁} for a space, {@code <0xNN>} byte-fallback tokens, UTF-8 otherwise. */
        SENTENCE_PIECE
    }

    private final Kind kind;
    private final byte[][] bytes;
    private final BitSet endTokens;
    private final int[] endTokenIds;
    private final TokenTrie trie;
    private final boolean everyByte;

    private TokenBytes(Kind kind, byte[][] bytes, BitSet endTokens) {
        this.kind = kind;
        this.bytes = bytes;
        this.endTokens = endTokens;
        this.endTokenIds = endTokens.stream().toArray();
        this.trie = TokenTrie.build(bytes);
        boolean[] single = new boolean[256];
        int singles = 0;
        for (byte[] b : bytes) {
            if (b != null && b.length == 1 && !single[b[0] & 0xFF]) {
                single[b[0] & 0xFF] = true;
                singles++;
            }
        }
        this.everyByte = singles == 256;
    }

    /**
     * Reads a tokenizer.
     *
     * @param tokenizerJson the model's {@code tokenizer.json}
     * @param endTokens the ids that end an answer ({@code eos_token_id}); ids the tokenizer does not have are ignored
     * @return the bytes of its tokens
     * @throws El4nerConfigurationException if the file cannot be read, is not a tokenizer.json, or its vocabulary
     *     is neither byte-level BPE nor SentencePiece style
     */
    public static TokenBytes fromTokenizerJson(Path tokenizerJson, Set<Long> endTokens) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new El4nerConfigurationException("cannot read " + tokenizerJson + " (tokenizer.json): "
                    + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new El4nerConfigurationException(tokenizerJson + " is not a JSON object; tokenizer.json must be "
                    + "the file of the model's Hugging Face repository");
        }
        return fromJson(root, endTokens, tokenizerJson.toString());
    }

    /**
     * As {@link #fromTokenizerJson(Path, Set)}, from a {@code tokenizer.json} already read.
     *
     * @param root the tokenizer.json's object
     * @param endTokens the ids that end an answer; ids the tokenizer does not have are ignored
     * @param source where it was read from, for messages
     * @return the bytes of its tokens
     * @throws El4nerConfigurationException if its vocabulary is neither byte-level BPE nor SentencePiece style
     */
    public static TokenBytes fromJson(JsonNode root, Set<Long> endTokens, String source) {
        Kind kind = kind(root, source);
        JsonNode model = root.path("model");
        JsonNode vocab = model.path("vocab");
        List<String> pieces = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        if (vocab.isObject()) {
            for (Map.Entry<String, JsonNode> e : vocab.properties()) {
                pieces.add(e.getKey());
                ids.add(id(e.getValue(), source));
            }
        } else if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                pieces.add(vocab.get(i).path(0).asText(""));
                ids.add(i);
            }
        } else {
            throw new El4nerConfigurationException(source + " has no vocabulary (model.vocab); it must be the "
                    + "tokenizer.json of the model's Hugging Face repository");
        }
        BitSet excluded = new BitSet();
        int max = ids.stream().mapToInt(Integer::intValue).max().orElse(-1);
        for (JsonNode added : root.path("added_tokens")) {
            int id = id(added.path("id"), source);
            excluded.set(id);
            max = Math.max(max, id);
        }
        JsonNode unk = model.get("unk_token");
        if (unk != null && unk.isTextual() && vocab.isObject() && vocab.has(unk.asText())) {
            excluded.set(id(vocab.get(unk.asText()), source));
        }
        JsonNode unkId = model.get("unk_id");
        if (unkId != null && unkId.canConvertToInt() && unkId.intValue() >= 0) {
            excluded.set(unkId.intValue());
        }
        if (max < 0) {
            throw new El4nerConfigurationException(source + " has an empty vocabulary");
        }
        byte[][] bytes = new byte[max + 1][];
        for (int i = 0; i < pieces.size(); i++) {
            int id = ids.get(i);
            if (!excluded.get(id)) {
                byte[] b = kind == Kind.BYTE_LEVEL ? byteLevel(pieces.get(i)) : sentencePiece(pieces.get(i));
                bytes[id] = b == null || b.length == 0 ? null : b;
            }
        }
        BitSet ends = new BitSet();
        for (long e : endTokens) {
            if (e >= 0 && e <= max) {
                ends.set((int) e);
                bytes[(int) e] = null;
            }
        }
        return new TokenBytes(kind, bytes, ends);
    }

    private static int id(JsonNode node, String source) {
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 0
                || node.intValue() >= MAX_IDS) {
            throw new El4nerConfigurationException(source + ": token ids must be integers in [0, " + MAX_IDS
                    + "), got " + node);
        }
        return node.intValue();
    }

    private static Kind kind(JsonNode root, String source) {
        List<String> decoders = new ArrayList<>();
        types(root.path("decoder"), "decoders", decoders);
        List<String> pre = new ArrayList<>();
        types(root.path("pre_tokenizer"), "pretokenizers", pre);
        if (decoders.contains("ByteLevel") || decoders.isEmpty() && pre.contains("ByteLevel")) {
            return Kind.BYTE_LEVEL;
        }
        if (decoders.contains("Metaspace") || decoders.contains("ByteFallback") || decoders.contains("Replace")
                || decoders.isEmpty() && pre.contains("Metaspace")) {
            return Kind.SENTENCE_PIECE;
        }
        throw new El4nerConfigurationException(source + ": constrained decoding understands byte-level BPE "
                + "(a ByteLevel decoder) and SentencePiece vocabularies (a Metaspace, Replace or ByteFallback "
                + "decoder); this tokenizer's decoder is " + (decoders.isEmpty() ? "missing" : decoders)
                + ". Set constrained=false for this model");
    }

    private static void types(JsonNode node, String listField, List<String> out) {
        if (node == null || !node.isObject()) {
            return;
        }
        out.add(node.path("type").asText(""));
        for (JsonNode child : node.path(listField)) {
            types(child, listField, out);
        }
    }

    /** GPT-2's map from bytes to printable characters, inverted: null when a character is not one of its 256. */
    private static byte[] byteLevel(String piece) {
        byte[] out = new byte[piece.length()];
        for (int i = 0; i < piece.length(); i++) {
            int b = ByteLevelMap.toByte(piece.charAt(i));
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }

    private static byte[] sentencePiece(String piece) {
        if (piece.length() == 6 && piece.startsWith(BYTE_FALLBACK_PREFIX) && piece.charAt(5) == '>') {
            int hi = Character.digit(piece.charAt(3), 16);
            int lo = Character.digit(piece.charAt(4), 16);
            if (hi >= 0 && lo >= 0) {
                return new byte[] {(byte) (hi * 16 + lo)};
            }
        }
        return piece.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** @return how the vocabulary spells bytes */
    public Kind kind() {
        return kind;
    }

    /** @return the number of token ids: one more than the highest id of the vocabulary and the added tokens */
    public int size() {
        return bytes.length;
    }

    /**
     * @param id a token id
     * @return a copy of the bytes the token writes; null when it is never allowed inside an answer (an added, special,
     *     unknown or end token, an id the tokenizer does not have)
     */
    public byte[] bytes(int id) {
        return id >= 0 && id < bytes.length && bytes[id] != null ? bytes[id].clone() : null;
    }

    /**
     * @param id a token id
     * @return whether it ends an answer
     */
    public boolean isEndToken(int id) {
        return id >= 0 && endTokens.get(id);
    }

    /** @return whether every byte is written by a token of its own, so that any byte sequence can be written */
    public boolean coversEveryByte() {
        return everyByte;
    }

    byte[] bytesUnsafe(int id) {
        return id >= 0 && id < bytes.length ? bytes[id] : null;
    }

    int[] endTokenIds() {
        return endTokenIds;
    }

    TokenTrie trie() {
        return trie;
    }

    /** GPT-2's bytes-to-unicode table: printable Latin-1 bytes are themselves, the other 68 are U+0100 on. */
    static final class ByteLevelMap {
        private static final int[] CHAR_TO_BYTE = new int[512];
        private static final char[] BYTE_TO_CHAR = new char[256];

        static {
            Arrays.fill(CHAR_TO_BYTE, -1);
            int next = 0;
            for (int b = 0; b < 256; b++) {
                boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE;
                char c = printable ? (char) b : (char) (256 + next++);
                BYTE_TO_CHAR[b] = c;
                CHAR_TO_BYTE[c] = b;
            }
        }

        private ByteLevelMap() {
        }

        static int toByte(char c) {
            return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
        }

        static char toChar(int b) {
            return BYTE_TO_CHAR[b & 0xFF];
        }
    }
}
