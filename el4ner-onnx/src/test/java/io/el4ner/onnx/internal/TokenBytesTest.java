package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.onnx.DecoderFixtures;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenBytesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path qwenTokenizer() {
        return DecoderFixtures.dir(DecoderFixtures.GQA).resolve("tokenizer.json");
    }

    static TokenBytes qwen() {
        return TokenBytes.fromTokenizerJson(qwenTokenizer(), Set.of(4072L, 4070L));
    }

    @Test
    void byteLevel_readsTheReducedQwenVocabulary() throws Exception {
        TokenBytes tokens = qwen();
        assertThat(tokens.kind()).isEqualTo(TokenBytes.Kind.BYTE_LEVEL);
        assertThat(tokens.size()).isEqualTo(4096);
        assertThat(tokens.coversEveryByte()).isTrue();
        assertThat(tokens.isEndToken(4072)).isTrue();
        assertThat(tokens.isEndToken(4070)).isTrue();
        assertThat(tokens.isEndToken(4071)).isFalse();
        assertThat(tokens.endTokenIds()).containsExactly(4070, 4072);
        // added tokens (4070..4095: <|endoftext|>, <|im_start|>, tool tags) and ids beyond are never allowed
        for (int id = 4070; id < 4096; id++) {
            assertThat(tokens.bytes(id)).as("id %d", id).isNull();
        }
        assertThat(tokens.bytes(-1)).isNull();
        assertThat(tokens.bytes(5000)).isNull();
        assertThat(tokens.bytes(1)).containsExactly('"');
        JsonNode vocab = JSON.readTree(qwenTokenizer().toFile()).path("model").path("vocab");
        assertThat(tokens.bytes(vocab.get("Ġthe").intValue())).isEqualTo(" the".getBytes(StandardCharsets.UTF_8));
        assertThat(tokens.bytes(vocab.get("Ċ").intValue())).containsExactly('\n');
        // the copy is a copy
        tokens.bytes(1)[0] = 'x';
        assertThat(tokens.bytes(1)).containsExactly('"');
    }

    /** Every token whose bytes are whole UTF-8 decodes, with the tokenizer itself, to exactly those bytes. */
    @Test
    void byteLevel_agreesWithTheTokenizersOwnDecoder() throws Exception {
        TokenBytes tokens = qwen();
        int compared = 0;
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(qwenTokenizer(),
                Map.of("addSpecialTokens", "false"))) {
            for (int id = 0; id < 4070; id++) {
                byte[] b = tokens.bytes(id);
                assertThat(b).as("id %d", id).isNotNull();
                String text;
                try {
                    text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(b)).toString();
                } catch (CharacterCodingException e) {
                    continue; // a piece of a character: the tokenizer shows U+FFFD
                }
                assertThat(tokenizer.decode(new long[] {id}, false)).as("id %d", id).isEqualTo(text);
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(3_500);
    }

    @Test
    void byteLevelMap_isGpt2s() {
        assertThat(TokenBytes.ByteLevelMap.toChar(' ')).isEqualTo('Ġ');
        assertThat(TokenBytes.ByteLevelMap.toChar('\n')).isEqualTo('Ċ');
        assertThat(TokenBytes.ByteLevelMap.toChar('!')).isEqualTo('!');
        assertThat(TokenBytes.ByteLevelMap.toChar(0xAD)).isEqualTo('\u0143');
        assertThat(TokenBytes.ByteLevelMap.toChar(0xFF)).isEqualTo('\u00ff');
        for (int b = 0; b < 256; b++) {
            assertThat(TokenBytes.ByteLevelMap.toByte(TokenBytes.ByteLevelMap.toChar(b))).isEqualTo(b);
        }
        assertThat(TokenBytes.ByteLevelMap.toByte('\u0200')).isEqualTo(-1);
    }

    /** A small SentencePiece-style tokenizer.json: a Unigram list, byte fallback for some bytes, added tokens. */
    static ObjectNode sentencePiece(List<String> pieces, boolean everyByte) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode added = root.putArray("added_tokens");
        added.addObject().put("id", 0).put("content", "<unk>").put("special", true);
        added.addObject().put("id", 1).put("content", "<s>").put("special", true);
        added.addObject().put("id", 2).put("content", "</s>").put("special", true);
        ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        decoders.addObject().put("type", "Replace");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        ObjectNode model = root.putObject("model").put("type", "Unigram").put("unk_id", 0);
        ArrayNode vocab = model.putArray("vocab");
        for (String special : List.of("<unk>", "<s>", "</s>")) {
            vocab.addArray().add(special).add(0.0);
        }
        if (everyByte) {
            for (int b = 0; b < 256; b++) {
                vocab.addArray().add(String.format("<0x%02X>", b)).add(-10.0);
            }
        }
        for (String p : pieces) {
            vocab.addArray().add(p).add(-1.0);
        }
        return root;
    }

    @Test
    void sentencePiece_spacesAndByteFallback(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, JSON.writeValueAsString(sentencePiece(List.of("▁Paris", "é", "▁", "<0x4"), true)));
        TokenBytes tokens = TokenBytes.fromTokenizerJson(file, Set.of(2L, 9999L));
        assertThat(tokens.kind()).isEqualTo(TokenBytes.Kind.SENTENCE_PIECE);
        assertThat(tokens.size()).isEqualTo(3 + 256 + 4);
        assertThat(tokens.coversEveryByte()).isTrue();
        assertThat(tokens.bytes(0)).isNull();
        assertThat(tokens.bytes(1)).isNull();
        assertThat(tokens.bytes(2)).isNull();
        assertThat(tokens.isEndToken(2)).isTrue();
        assertThat(tokens.bytes(3)).containsExactly(0);
        assertThat(tokens.bytes(3 + 0x41)).containsExactly('A');
        assertThat(tokens.bytes(3 + 0xFF)).containsExactly(0xFF);
        assertThat(tokens.bytes(259)).isEqualTo(" Paris".getBytes(StandardCharsets.UTF_8));
        assertThat(tokens.bytes(260)).isEqualTo("é".getBytes(StandardCharsets.UTF_8));
        assertThat(tokens.bytes(261)).containsExactly(' ');
        assertThat(tokens.bytes(262)).isEqualTo("<0x4".getBytes(StandardCharsets.UTF_8));
        TokenBytes without = TokenBytes.fromJson(sentencePiece(List.of("a", "b"), false), Set.of(), "t");
        assertThat(without.coversEveryByte()).isFalse();
    }

    @Test
    void fromTokenizerJson_refusesWhatItCannotRead(@TempDir Path dir) throws Exception {
        ObjectNode wordPiece = JSON.createObjectNode();
        wordPiece.putObject("decoder").put("type", "WordPiece");
        wordPiece.putObject("model").put("type", "WordPiece").putObject("vocab").put("a", 0);
        assertThatThrownBy(() -> TokenBytes.fromJson(wordPiece, Set.of(), "bert/tokenizer.json"))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("bert/tokenizer.json").hasMessageContaining("[WordPiece]")
                .hasMessageContaining("constrained=false");
        ObjectNode huge = sentencePiece(List.of(), false);
        ((ArrayNode) huge.get("added_tokens")).addObject().put("id", 1L << 40).put("content", "x");
        assertThatThrownBy(() -> TokenBytes.fromJson(huge, Set.of(), "t"))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("token ids must be integers");
        ObjectNode noVocab = sentencePiece(List.of(), false);
        ((ObjectNode) noVocab.get("model")).remove("vocab");
        assertThatThrownBy(() -> TokenBytes.fromJson(noVocab, Set.of(), "t"))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("no vocabulary");
        Path notJson = dir.resolve("tokenizer.json");
        Files.writeString(notJson, "[1]");
        assertThatThrownBy(() -> TokenBytes.fromTokenizerJson(notJson, Set.of()))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> TokenBytes.fromTokenizerJson(dir.resolve("missing.json"), Set.of()))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("cannot read");
    }

    @Test
    void trie_holdsEveryAllowedTokenOnceUnderItsBytes() {
        TokenBytes tokens = qwen();
        TokenTrie trie = tokens.trie();
        int found = 0;
        for (int id = 0; id < tokens.size(); id++) {
            byte[] b = tokens.bytes(id);
            if (b == null) {
                continue;
            }
            int node = 0;
            for (byte x : b) {
                node = trie.child(node, x & 0xFF);
                assertThat(node).isPositive();
            }
            boolean there = false;
            for (int k = trie.firstToken(node); k < trie.endToken(node); k++) {
                there |= trie.token(k) == id;
            }
            assertThat(there).as("id %d", id).isTrue();
            found++;
        }
        assertThat(found).isEqualTo(4070);
        assertThat(trie.child(0, 0x80)).isPositive();
        assertThat(trie.depth()).isGreaterThan(4);
    }
}
