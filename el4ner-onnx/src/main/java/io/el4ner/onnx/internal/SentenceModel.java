package io.el4ner.onnx.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded sentence-transformers export: its tokenizer and its ONNX Runtime session, with the checks that the model
 * looks like one (its inputs, a token-level output) and the padding and running of one batch. The sentence encoder
 * decides what to run; this class only runs it.
 */
final class SentenceModel implements AutoCloseable {
    private static final String INPUT_IDS = "input_ids";
    private static final String ATTENTION_MASK = "attention_mask";
    private static final String TOKEN_TYPE_IDS = "token_type_ids";

    private final OrtEnvironment env = OrtSessions.environment();
    private final HuggingFaceTokenizer tokenizer;
    private final OrtSession session;
    private final boolean takesTypeIds;
    private final String output;
    private final int dimension;
    private final String executionProvider;
    private final String cudaFailure;

    /** The model's token vectors for a batch, {@code [rows, seq, dim]}. */
    record Hidden(FloatBuffer values, int seq, int dim) {
    }

    /**
     * Loads the tokenizer and creates the session.
     *
     * @param source the model's files
     * @param maxLength the most sub-tokens per text, special tokens included
     * @param options how to run the model
     * @throws El4nerConfigurationException if the model cannot be loaded or does not look like a sentence-transformers
     *     export
     */
    SentenceModel(ModelSource source, int maxLength, OrtSessions.Options options) {
        this.tokenizer = newTokenizer(source, maxLength);
        OrtSession s = null;
        try {
            String what = "sentence encoder model '" + source.name() + "'";
            OrtSessions.Opened opened = source.modelPath() != null ? OrtSessions.open(what, source.modelPath(), options)
                    : OrtSessions.open(what, source.modelBytes(), options);
            s = opened.session();
            this.cudaFailure = opened.cudaFailure();
            this.session = s;
            this.executionProvider = opened.executionProvider();
            this.takesTypeIds = checkInputs(session.getInputNames(), source.name());
            this.output = pickOutput(session.getOutputInfo(), source.name());
            long declared = ((TensorInfo) session.getOutputInfo().get(output).getInfo()).getShape()[2];
            this.dimension = declared > 0 ? (int) declared : probeDimension();
        } catch (OrtException | RuntimeException e) {
            OrtSessions.closeQuietly(s);
            tokenizer.close();
            if (e instanceof El4nerException ee) {
                throw ee;
            }
            throw new El4nerConfigurationException("cannot load sentence encoder model '" + source.name() + "': "
                    + e.getMessage(), e);
        }
    }

    /** @return the tokenizer, which cuts texts to the encoder's maxLength; safe for concurrent use */
    HuggingFaceTokenizer tokenizer() {
        return tokenizer;
    }

    /** @return the vector length */
    int dimension() {
        return dimension;
    }

    /** @return {@code CPU} or {@code CUDA:<device>} */
    String executionProvider() {
        return executionProvider;
    }

    /** @return why CUDA was not used although asked for; null when it was not asked for or runs */
    String cudaFailure() {
        return cudaFailure;
    }

    /** Pads the batch to its longest encoding (pad id 0, mask 0) and runs the model. */
    Hidden run(Encoding[] batch) {
        int rows = batch.length;
        int seq = 0;
        for (Encoding e : batch) {
            seq = Math.max(seq, e.getIds().length);
        }
        long[] ids = new long[rows * seq];
        long[] mask = new long[rows * seq];
        long[] types = new long[rows * seq];
        for (int r = 0; r < rows; r++) {
            long[] eIds = batch[r].getIds();
            System.arraycopy(eIds, 0, ids, r * seq, eIds.length);
            System.arraycopy(batch[r].getAttentionMask(), 0, mask, r * seq, eIds.length);
            System.arraycopy(batch[r].getTypeIds(), 0, types, r * seq, eIds.length);
        }
        long[] shape = {rows, seq};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (takesTypeIds) {
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
                OnnxValue value = result.get(output).orElseThrow();
                long[] got = ((TensorInfo) value.getInfo()).getShape();
                if (got.length != 3 || got[0] != rows || got[1] != seq || dimension > 0 && got[2] != dimension) {
                    throw new El4nerException("sentence encoder model returned vectors of shape " + Arrays.toString(got)
                            + ", expected [" + rows + ", " + seq + ", " + dimension + "]");
                }
                return new Hidden(((OnnxTensor) value).getFloatBuffer(), seq, (int) got[2]);
            }
        } catch (OrtException e) {
            throw new El4nerException("ONNX Runtime failed to run the sentence encoder: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Releases the session and the tokenizer. */
    @Override
    public void close() {
        OrtSessions.closeQuietly(session);
        tokenizer.close();
    }

    private int probeDimension() {
        return run(new Encoding[] {tokenizer.encode("dimension")}).dim;
    }

    private static HuggingFaceTokenizer newTokenizer(ModelSource source, int maxLength) {
        if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        // tokenizer.json may fix padding (all-MiniLM's pads every text to 128): turn it off, we pad per batch.
        Map<String, String> options = Map.of("padding", "false", "truncation", "true",
                "maxLength", Integer.toString(maxLength), "modelMaxLength", Integer.toString(maxLength));
        try {
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(source.tokenizerJson()), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new El4nerConfigurationException("cannot load the tokenizer of sentence encoder model '"
                    + source.name() + "': " + e.getMessage(), e);
        }
    }

    /** @return whether the model takes token_type_ids */
    private static boolean checkInputs(Set<String> names, String model) {
        if (!names.contains(INPUT_IDS) || !names.contains(ATTENTION_MASK)
                || !Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS).containsAll(names)) {
            throw new El4nerConfigurationException("sentence encoder model '" + model + "' has inputs " + names
                    + "; expected input_ids, attention_mask and optionally token_type_ids");
        }
        return names.contains(TOKEN_TYPE_IDS);
    }

    /** @return {@code last_hidden_state}, else {@code token_embeddings}, else the only float output of rank 3 */
    private static String pickOutput(Map<String, NodeInfo> outputs, String model) {
        for (String preferred : List.of("last_hidden_state", "token_embeddings")) {
            if (outputs.containsKey(preferred)) {
                return preferred;
            }
        }
        List<String> rank3 = outputs.entrySet().stream()
                .filter(e -> e.getValue().getInfo() instanceof TensorInfo ti && ti.getShape().length == 3)
                .map(Map.Entry::getKey).toList();
        if (rank3.size() != 1) {
            throw new El4nerConfigurationException("sentence encoder model '" + model + "' has outputs "
                    + outputs.keySet() + "; expected one token-level output [batch, sequence, dimension] such as "
                    + "last_hidden_state");
        }
        return rank3.get(0);
    }
}
