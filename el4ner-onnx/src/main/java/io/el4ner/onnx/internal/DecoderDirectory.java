package io.el4ner.onnx.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.el4ner.api.El4nerConfigurationException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A decoder model folder in the Hugging Face optimum / onnx-community layout, checked and read: {@code config.json}
 * (the model's shape), {@code generation_config.json} (when to stop), {@code tokenizer.json},
 * {@code tokenizer_config.json} (special tokens and the chat template) and {@code onnx/<variant>.onnx} (or
 * {@code <variant>.onnx} at the top of the folder, as plain optimum exports have it), with its external data
 * beside it. A missing file is reported with what it is for.
 *
 * @param dir the folder
 * @param variant the file stem of the ONNX model, e.g. {@code model_q4}
 * @param onnxFile the ONNX model file
 * @param tokenizerJson {@code tokenizer.json}
 * @param name the model's name in messages and answers: the folder's name, then {@code /} and the variant
 * @param contextTokens {@code max_position_embeddings} of config.json
 * @param vocabSize {@code vocab_size} of config.json, 0 when absent
 * @param layers {@code num_hidden_layers}, 0 when absent
 * @param kvHeads {@code num_key_value_heads} (else {@code num_attention_heads}), 0 when absent
 * @param headDim {@code head_dim} (else {@code hidden_size / num_attention_heads}), 0 when absent
 * @param endTokens the token ids that end an answer: {@code eos_token_id} of generation_config.json, and of
 *     config.json when generation_config.json has none
 */
public record DecoderDirectory(Path dir, String variant, Path onnxFile, Path tokenizerJson, String name,
                               int contextTokens, int vocabSize, int layers, int kvHeads, int headDim,
                               Set<Long> endTokens) {

    /** Variants tried in this order when none is given and the model runs on the CPU: quantized first. */
    public static final List<String> CPU_VARIANTS = List.of("model_q4", "model_int8", "model_quantized",
            "model_uint8", "model", "model_q4f16", "model_fp16", "decoder_model");
    /** Variants tried in this order when none is given and CUDA is asked for: half precision first. */
    public static final List<String> CUDA_VARIANTS = List.of("model_fp16", "model_q4f16", "model", "model_q4",
            "model_int8", "model_quantized", "model_uint8", "decoder_model");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validates the components. */
    public DecoderDirectory {
        endTokens = Set.copyOf(endTokens);
    }

    /**
     * Checks and reads a model folder.
     *
     * @param dir the folder
     * @param variant the file stem of the ONNX model, or null to pick the first of {@code preferred} present
     * @param preferred the order in which to pick a variant when none is given
     * @return the folder's description
     * @throws El4nerConfigurationException if a file is missing or malformed, naming it and what it is for
     */
    public static DecoderDirectory read(Path dir, String variant, List<String> preferred) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            throw new El4nerConfigurationException("decoder model directory " + abs + " does not exist or is not a "
                    + "directory; 'directory' must be the folder of a Hugging Face ONNX export (config.json, "
                    + "generation_config.json, tokenizer.json, tokenizer_config.json, onnx/<variant>.onnx)");
        }
        Path config = require(abs, "config.json", "the model's shape: max_position_embeddings, num_hidden_layers, "
                + "num_key_value_heads, vocab_size");
        Path tokenizer = require(abs, "tokenizer.json", "the tokenizer that turns prompts into tokens and tokens "
                + "into text");
        require(abs, "tokenizer_config.json", "the chat template that turns messages into a prompt, and the "
                + "special tokens");
        Path onnx = onnxFile(abs, variant, preferred);
        String chosen = onnx.getFileName().toString().replaceFirst("\\.onnx$", "");

        JsonNode cfg = readJson(config, "config.json");
        int context = positiveInt(cfg, "max_position_embeddings", config);
        if (context == 0) {
            throw new El4nerConfigurationException(config + " has no max_position_embeddings (the context size "
                    + "of the model in tokens); add it as in the model's original config.json");
        }
        int heads = positiveInt(cfg, "num_attention_heads", config);
        int kvHeads = positiveInt(cfg, "num_key_value_heads", config);
        int headDim = positiveInt(cfg, "head_dim", config);
        int hidden = positiveInt(cfg, "hidden_size", config);
        if (headDim == 0 && heads > 0 && hidden % heads == 0) {
            headDim = hidden / heads;
        }
        Set<Long> ends = new LinkedHashSet<>();
        Path generation = abs.resolve("generation_config.json");
        if (Files.isRegularFile(generation)) {
            ends.addAll(tokenIds(readJson(generation, "generation_config.json").get("eos_token_id"), generation));
        }
        if (ends.isEmpty()) {
            ends.addAll(tokenIds(cfg.get("eos_token_id"), config));
        }
        if (ends.isEmpty()) {
            throw new El4nerConfigurationException("decoder model directory " + abs + " names no end token: "
                    + (Files.isRegularFile(generation) ? "" : "it has no generation_config.json, and ")
                    + "neither generation_config.json nor config.json has eos_token_id, which says when an answer "
                    + "ends");
        }
        String name = ModelSource.folderName(abs) + "/" + chosen;
        return new DecoderDirectory(abs, chosen, onnx, tokenizer, name, context, positiveInt(cfg, "vocab_size",
                config), positiveInt(cfg, "num_hidden_layers", config), kvHeads > 0 ? kvHeads : heads, headDim,
                ends);
    }

    private static Path require(Path dir, String file, String purpose) {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new El4nerConfigurationException("decoder model directory " + dir + " has no " + file + " ("
                    + purpose + "); copy it from the model's Hugging Face repository");
        }
        return p;
    }

    private static Path onnxFile(Path dir, String variant, List<String> preferred) {
        List<Path> folders = List.of(dir.resolve("onnx"), dir);
        if (variant != null) {
            for (Path folder : folders) {
                Path p = folder.resolve(variant + ".onnx");
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
            throw new El4nerConfigurationException("decoder model directory " + dir + " has no onnx/" + variant
                    + ".onnx (the model's weights for variant '" + variant + "'); variants present: "
                    + variants(folders));
        }
        for (String v : preferred) {
            for (Path folder : folders) {
                Path p = folder.resolve(v + ".onnx");
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        Set<String> present = variants(folders);
        throw new El4nerConfigurationException("decoder model directory " + dir + " has no ONNX model (onnx/"
                + "<variant>.onnx, the model's weights)" + (present.isEmpty() ? ""
                : " of a known variant; give 'variant', one of " + present));
    }

    private static Set<String> variants(List<Path> folders) {
        Set<String> out = new TreeSet<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.onnx")) {
                for (Path f : files) {
                    out.add(f.getFileName().toString().replaceFirst("\\.onnx$", ""));
                }
            } catch (IOException e) {
                // only for the message
            }
        }
        return out;
    }

    private static JsonNode readJson(Path file, String what) {
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new El4nerConfigurationException(file + " is not a JSON object; " + what
                        + " must be the file of the model's Hugging Face repository");
            }
            return node;
        } catch (IOException e) {
            throw new El4nerConfigurationException("cannot read " + file + " (" + what + "): " + e.getMessage(), e);
        }
    }

    private static int positiveInt(JsonNode cfg, String key, Path file) {
        JsonNode v = cfg.get(key);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() <= 0) {
            throw new El4nerConfigurationException(file + ": '" + key + "' must be a positive integer, got " + v);
        }
        return v.intValue();
    }

    private static List<Long> tokenIds(JsonNode v, Path file) {
        List<Long> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        Iterator<JsonNode> items = v.isArray() ? v.elements() : List.of(v).iterator();
        while (items.hasNext()) {
            JsonNode id = items.next();
            if (!id.isIntegralNumber() || id.longValue() < 0) {
                throw new El4nerConfigurationException(file + ": 'eos_token_id' must be a token id or a list of "
                        + "token ids, got " + v);
            }
            out.add(id.longValue());
        }
        return out;
    }

    /**
     * @param tokenizerJson a {@code tokenizer.json}
     * @return the text of its special tokens ({@code added_tokens} marked {@code special}), longest first
     * @throws El4nerConfigurationException if the file cannot be read
     */
    public static List<String> specialTokens(Path tokenizerJson) {
        return specialTokens(readTokenizerJson(tokenizerJson));
    }

    /**
     * Reads a {@code tokenizer.json} once, for {@link #specialTokens(JsonNode)}, {@link #tokenizerIds(JsonNode,
     * Path)} and {@link TokenBytes#fromJson}: a large vocabulary's file (11 MB for Qwen's) is parsed once per model.
     *
     * @param tokenizerJson the file
     * @return its JSON object
     * @throws El4nerConfigurationException if the file cannot be read or is not a JSON object
     */
    public static JsonNode readTokenizerJson(Path tokenizerJson) {
        return readJson(tokenizerJson, "tokenizer.json");
    }

    /**
     * @param root a {@code tokenizer.json} read by {@link #readTokenizerJson(Path)}
     * @return the text of its special tokens ({@code added_tokens} marked {@code special}), longest first
     */
    public static List<String> specialTokens(JsonNode root) {
        List<String> out = new ArrayList<>();
        for (JsonNode added : root.path("added_tokens")) {
            String content = added.path("content").asText("");
            if (added.path("special").asBoolean(false) && !content.isEmpty()) {
                out.add(content);
            }
        }
        out.sort(java.util.Comparator.comparingInt(String::length).reversed());
        return List.copyOf(out);
    }

    /**
     * The number of token ids the tokenizer knows: one more than the highest id of its vocabulary and added
     * tokens. The model may score more ids than that (embedding tables are padded); those ids are never chosen.
     *
     * @param tokenizerJson the tokenizer.json file
     * @return the number of ids, at least 1
     * @throws El4nerConfigurationException if the file is not a tokenizer.json
     */
    public static int tokenizerIds(Path tokenizerJson) {
        return tokenizerIds(readTokenizerJson(tokenizerJson), tokenizerJson);
    }

    /**
     * @param root a {@code tokenizer.json} read by {@link #readTokenizerJson(Path)}
     * @param tokenizerJson the file it was read from, for messages
     * @return the number of ids, at least 1
     * @throws El4nerConfigurationException if it has no vocabulary
     */
    public static int tokenizerIds(JsonNode root, Path tokenizerJson) {
        long max = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                max = Math.max(max, it.next().getValue().asLong(-1));
            }
        } else if (vocab.isArray()) {
            max = vocab.size() - 1L; // Unigram: a list of [piece, score], ids are positions
        }
        for (JsonNode added : root.path("added_tokens")) {
            max = Math.max(max, added.path("id").asLong(-1));
        }
        if (max < 0 || max >= Integer.MAX_VALUE) {
            throw new El4nerConfigurationException(tokenizerJson + " has no vocabulary (model.vocab); it must be "
                    + "the tokenizer.json of the model's Hugging Face repository");
        }
        return (int) max + 1;
    }
}
