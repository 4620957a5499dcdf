package io.el4ner.onnx.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.el4ner.api.El4nerConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The inputs and outputs of a decoder export with a KV cache (optimum / onnx-community): {@code input_ids},
 * {@code attention_mask} and optionally {@code position_ids} (int64), {@code past_key_values.{i}.key|value}
 * {@code [batch, kv_heads, past, head_dim]} in float32 or float16; outputs {@code logits [batch, seq, vocab]} and
 * {@code present.{i}.key|value}. Read from the session; anything else is refused with the expected and the found
 * names.
 *
 * @param layers the number of layers (pairs of past key and value inputs)
 * @param kvHeads the KV heads per layer
 * @param headDim the size of one head
 * @param kvType {@link OnnxJavaType#FLOAT} or {@link OnnxJavaType#FLOAT16}
 * @param logitsType {@link OnnxJavaType#FLOAT} or {@link OnnxJavaType#FLOAT16}
 * @param vocab the number of logits per position
 * @param positionIds whether the model takes {@code position_ids}
 */
public record DecoderSignature(int layers, int kvHeads, int headDim, OnnxJavaType kvType, OnnxJavaType logitsType,
                               int vocab, boolean positionIds) {
    /** The token ids input. */
    public static final String INPUT_IDS = "input_ids";
    /** The attention mask input, {@code [batch, past + seq]}. */
    public static final String ATTENTION_MASK = "attention_mask";
    /** The position ids input. */
    public static final String POSITION_IDS = "position_ids";
    /** The logits output. */
    public static final String LOGITS = "logits";

    /** @return the bytes of one KV element */
    public int kvElementBytes() {
        return kvType == OnnxJavaType.FLOAT16 ? 2 : 4;
    }

    /** @return the bytes of KV cache one token takes in one row, keys and values of all layers */
    public long bytesPerToken() {
        return 2L * layers * kvHeads * headDim * kvElementBytes();
    }

    /**
     * @param layer a layer
     * @return its past key input name
     */
    public static String pastKey(int layer) {
        return "past_key_values." + layer + ".key";
    }

    /**
     * @param layer a layer
     * @return its past value input name
     */
    public static String pastValue(int layer) {
        return "past_key_values." + layer + ".value";
    }

    /**
     * @param layer a layer
     * @return its present key output name
     */
    public static String presentKey(int layer) {
        return "present." + layer + ".key";
    }

    /**
     * @param layer a layer
     * @return its present value output name
     */
    public static String presentValue(int layer) {
        return "present." + layer + ".value";
    }

    /**
     * Reads and checks the signature of a session.
     *
     * @param session the session
     * @param files the model folder, for the shape when the graph leaves it open and for messages
     * @return the signature
     * @throws El4nerConfigurationException if the signature is not a supported decoder's, listing the expected and
     *     found names, or disagrees with config.json
     * @throws OrtException if ONNX Runtime cannot describe the session
     */
    public static DecoderSignature read(OrtSession session, DecoderDirectory files) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        int layers = 0;
        while (inputs.containsKey(pastKey(layers))) {
            layers++;
        }
        List<String> expectedIn = new ArrayList<>(List.of(INPUT_IDS, ATTENTION_MASK));
        List<String> expectedOut = new ArrayList<>(List.of(LOGITS));
        for (int i = 0; i < Math.max(layers, 1); i++) {
            expectedIn.add(pastKey(i));
            expectedIn.add(pastValue(i));
            expectedOut.add(presentKey(i));
            expectedOut.add(presentValue(i));
        }
        boolean positions = inputs.containsKey(POSITION_IDS);
        List<String> allowedIn = new ArrayList<>(expectedIn);
        allowedIn.add(POSITION_IDS);
        boolean namesOk = layers > 0 && inputs.keySet().containsAll(expectedIn) && allowedIn.containsAll(
                inputs.keySet()) && outputs.keySet().containsAll(expectedOut);
        String what = "decoder model '" + files.name() + "' (" + files.dir().relativize(files.onnxFile()) + ")";
        if (!namesOk) {
            throw unsupported(what, "its inputs and outputs are not those of a decoder with a KV cache", inputs,
                    outputs, layers);
        }
        for (String id : positions ? List.of(INPUT_IDS, ATTENTION_MASK, POSITION_IDS)
                : List.of(INPUT_IDS, ATTENTION_MASK)) {
            TensorInfo t = tensor(inputs.get(id));
            if (t == null || t.type != OnnxJavaType.INT64 || t.getShape().length != 2) {
                throw unsupported(what, "input " + id + " must be int64 [batch, sequence], is " + describe(
                        inputs.get(id)), inputs, outputs, layers);
            }
        }
        OnnxJavaType kvType = null;
        int kvHeads = 0;
        int headDim = 0;
        for (int i = 0; i < layers; i++) {
            for (String name : List.of(pastKey(i), pastValue(i))) {
                TensorInfo t = tensor(inputs.get(name));
                if (t == null || t.getShape().length != 4 || t.type != OnnxJavaType.FLOAT
                        && t.type != OnnxJavaType.FLOAT16 || kvType != null && t.type != kvType) {
                    throw unsupported(what, "input " + name + " must be float32 or float16 (all alike) [batch, "
                            + "kv_heads, past, head_dim], is " + describe(inputs.get(name)), inputs, outputs, layers);
                }
                kvType = t.type;
                long[] shape = t.getShape();
                kvHeads = fixed(kvHeads, shape[1]);
                headDim = fixed(headDim, shape[3]);
            }
        }
        TensorInfo logits = tensor(outputs.get(LOGITS));
        if (logits == null || logits.getShape().length != 3 || logits.type != OnnxJavaType.FLOAT
                && logits.type != OnnxJavaType.FLOAT16) {
            throw unsupported(what, "output logits must be float32 or float16 [batch, sequence, vocab], is "
                    + describe(outputs.get(LOGITS)), inputs, outputs, layers);
        }
        kvHeads = agree(what, "KV heads", "num_key_value_heads", kvHeads, files.kvHeads());
        headDim = agree(what, "head size", "head_dim", headDim, files.headDim());
        agree(what, "layers", "num_hidden_layers", layers, files.layers());
        int vocab = agree(what, "logits per position", "vocab_size", fixed(0, logits.getShape()[2]),
                files.vocabSize());
        return new DecoderSignature(layers, kvHeads, headDim, kvType, logits.type, vocab, positions);
    }

    private static int fixed(int known, long dim) {
        return dim > 0 && dim <= Integer.MAX_VALUE ? (int) dim : known;
    }

    /** The graph's number wins where it has one; config.json must agree with it, or fill it in. */
    private static int agree(String what, String thing, String key, int graph, int config) {
        if (graph > 0 && config > 0 && graph != config) {
            throw new El4nerConfigurationException(what + " has " + graph + " " + thing + " but config.json says "
                    + key + " = " + config + "; the folder mixes files of different models");
        }
        int v = graph > 0 ? graph : config;
        if (v <= 0) {
            throw new El4nerConfigurationException(what + " leaves its number of " + thing + " open and config.json "
                    + "has no " + key + "; add it to config.json");
        }
        return v;
    }

    private static TensorInfo tensor(NodeInfo info) {
        return info != null && info.getInfo() instanceof TensorInfo t ? t : null;
    }

    private static String describe(NodeInfo info) {
        TensorInfo t = tensor(info);
        return t == null ? String.valueOf(info) : t.type + java.util.Arrays.toString(t.getShape());
    }

    private static El4nerConfigurationException unsupported(String what, String why, Map<String, NodeInfo> inputs,
                                                            Map<String, NodeInfo> outputs, int layers) {
        String n = layers > 0 ? String.valueOf(layers - 1) : "N-1";
        return new El4nerConfigurationException(what + " has an unsupported signature: " + why + ". Expected "
                + "inputs input_ids, attention_mask, position_ids (optional), past_key_values.{0.." + n
                + "}.key|value and outputs logits, present.{0.." + n + "}.key|value (an optimum / onnx-community "
                + "decoder export with a KV cache); found inputs " + new TreeSet<>(inputs.keySet()) + " and outputs "
                + new TreeSet<>(outputs.keySet()));
    }
}
