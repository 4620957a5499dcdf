package io.el4ner.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks the tiny random-weight decoder fixtures under {@code io/el4ner/onnx/decoders} (made by
 * {@code src/test/fixtures/make_tiny_decoders.py}) with plain ONNX Runtime and DJL, independently of el4ner's
 * decoder: the reduced Qwen tokenizer round-trips text and keeps the chat tokens whole, every model has the optimum
 * decoder signature, decoding with the KV cache equals recomputing the whole sequence, a left-padded batch gives
 * each row its own logits, the q4 model matches the fp32 model it was quantized from, and ONNX Runtime agrees with
 * the generator's NumPy forward pass. The decode loop here is a minimal test-only one.
 */
class TinyDecoderFixturesTest {
    static final String ROOT = "/io/el4ner/onnx/decoders/";
    /** The chat prompt whose token ids the generator's reference files start from. */
    static final String CHAT = "<|im_start|>user\nHello, world!<|im_end|>\n<|im_start|>assistant\n";
    static final int VOCAB = 4096;
    static final int ENDOFTEXT = 4070;
    static final int IM_START = 4071;
    static final int IM_END = 4072;

    static OrtEnvironment env;
    static final Map<String, OrtSession> SESSIONS = new HashMap<>();

    @BeforeAll
    static void environment() {
        env = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    static void close() throws OrtException {
        for (OrtSession s : SESSIONS.values()) {
            s.close();
        }
    }

    static Path dir(String model) {
        try {
            return Path.of(TinyDecoderFixturesTest.class.getResource(ROOT + model).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param variant {@code tiny-gqa/model_q4} style: model directory and file stem under onnx/ */
    static synchronized OrtSession session(String variant) throws OrtException {
        OrtSession s = SESSIONS.get(variant);
        if (s == null) {
            String[] parts = variant.split("/");
            Path file = dir(parts[0]).resolve("onnx").resolve(parts[1] + ".onnx");
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                s = env.createSession(file.toString(), options);
            }
            SESSIONS.put(variant, s);
        }
        return s;
    }

    static HuggingFaceTokenizer tokenizer(String model) throws IOException {
        return HuggingFaceTokenizer.newInstance(dir(model).resolve("tokenizer.json"), Map.of("addSpecialTokens", "false"));
    }

    // ------------------------------------------------------------------------------------------- tokenizer

    @ParameterizedTest
    @ValueSource(strings = {"tiny-mha", "tiny-gqa"})
    void tokenizer_text_roundTripsAndKeepsChatTokensWhole(String model) throws IOException {
        try (HuggingFaceTokenizer tok = tokenizer(model)) {
            for (String text : List.of("The quick brown fox jumps over the lazy dog.",
                    "Grüße aus München: Größe, Übermaß und Äpfel.", "東京と北京の天気は晴れです。", "Emoji 🙂👍🏽 and ✓",
                    "  two spaces\tand a tab\nnew line 1234567")) {
                Encoding enc = tok.encode(text);
                assertThat(Arrays.stream(enc.getIds()).allMatch(id -> id >= 0 && id < ENDOFTEXT)).as(text).isTrue();
                assertThat(tok.decode(enc.getIds())).as(text).isEqualTo(text);
            }
            long[] chat = tok.encode(CHAT).getIds();
            assertThat(chat).startsWith(IM_START).contains(IM_END);
            assertThat(Arrays.stream(chat).filter(id -> id == IM_START).count()).isEqualTo(2);
            assertThat(tok.encode("<|endoftext|>").getIds()).containsExactly(ENDOFTEXT);
            // the last added token has the highest id, and every id fits the model's vocab_size
            assertThat(tok.encode("</think>").getIds()).containsExactly(VOCAB - 1);
            assertThat(tok.decode(chat, false)).isEqualTo(CHAT);
            assertThat(tok.decode(chat)).isEqualTo("user\nHello, world!\nassistant\n");
            // the generator's reference prompt is this chat prompt as this tokenizer encodes it
            assertThat(chat).containsExactly(reference(model, "prompt"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-mha", "tiny-gqa"})
    void configs_fixtures_matchTheTokenizerAndTheGraph(String model) throws Exception {
        String config = Files.readString(dir(model).resolve("config.json"));
        assertThat(intField(config, "vocab_size")).isEqualTo(VOCAB);
        String generation = Files.readString(dir(model).resolve("generation_config.json"));
        assertThat(array(generation, "eos_token_id")).containsExactly(IM_END, ENDOFTEXT);
        assertThat(Files.readString(dir(model).resolve("tokenizer_config.json")))
                .contains("\"chat_template\"", "\"eos_token\": \"<|im_end|>\"", "\"" + IM_END + "\"");
        int layers = intField(config, "num_hidden_layers");
        int kvHeads = intField(config, "num_key_value_heads");
        int headDim = intField(config, "head_dim");
        assertThat(intField(config, "num_attention_heads")).isEqualTo(4);
        assertThat(kvHeads).isEqualTo(model.equals("tiny-gqa") ? 2 : 4);
        assertThat(config).contains("\"tie_word_embeddings\": " + model.equals("tiny-mha"));
        for (String variant : variants(model)) {
            assertSignature(session(variant), layers, kvHeads, headDim);
        }
    }

    static void assertSignature(OrtSession s, int layers, int kvHeads, int headDim) throws OrtException {
        List<String> inputs = new ArrayList<>(List.of("input_ids", "attention_mask", "position_ids"));
        List<String> outputs = new ArrayList<>(List.of("logits"));
        for (int i = 0; i < layers; i++) {
            inputs.addAll(List.of("past_key_values." + i + ".key", "past_key_values." + i + ".value"));
            outputs.addAll(List.of("present." + i + ".key", "present." + i + ".value"));
        }
        assertThat(s.getInputNames()).containsExactlyElementsOf(inputs);
        assertThat(s.getOutputNames()).containsExactlyElementsOf(outputs);
        Map<String, NodeInfo> in = s.getInputInfo();
        Map<String, NodeInfo> out = s.getOutputInfo();
        for (String name : List.of("input_ids", "attention_mask", "position_ids")) {
            TensorInfo t = (TensorInfo) in.get(name).getInfo();
            assertThat(t.type).isEqualTo(OnnxJavaType.INT64);
            assertThat(t.getShape()).containsExactly(-1, -1);
        }
        assertThat(((TensorInfo) out.get("logits").getInfo()).getShape()).containsExactly(-1, -1, VOCAB);
        for (int i = 0; i < layers; i++) {
            for (String kind : List.of("key", "value")) {
                TensorInfo past = (TensorInfo) in.get("past_key_values." + i + "." + kind).getInfo();
                TensorInfo present = (TensorInfo) out.get("present." + i + "." + kind).getInfo();
                assertThat(past.type).isEqualTo(OnnxJavaType.FLOAT);
                assertThat(past.getShape()).containsExactly(-1, kvHeads, -1, headDim);
                assertThat(present.getShape()).containsExactly(-1, kvHeads, -1, headDim);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- decoding

    /** One step's result: logits [B, S, V] and the presents (KV [B, H, T, D] per layer and kind). */
    record Step(float[] logits, int batch, int seq, List<float[]> kv, long[] kvShape) {
        float[] row(int b, int s) {
            int off = (b * seq + s) * VOCAB;
            return Arrays.copyOfRange(logits, off, off + VOCAB);
        }
    }

    /** Runs one forward pass; past null means an empty cache. */
    static Step run(OrtSession s, long[][] ids, long[][] mask, long[][] pos, Step past) throws OrtException {
        int b = ids.length;
        int seq = ids[0].length;
        List<String> kvNames = s.getInputNames().stream().filter(n -> n.startsWith("past_key_values.")).toList();
        long[] kvShape = ((TensorInfo) s.getInputInfo().get(kvNames.get(0)).getInfo()).getShape().clone();
        kvShape[0] = b;
        kvShape[2] = 0;
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            feed.put("input_ids", longs(ids));
            feed.put("attention_mask", longs(mask));
            feed.put("position_ids", longs(pos));
            for (int i = 0; i < kvNames.size(); i++) {
                if (past == null) {
                    feed.put(kvNames.get(i), OnnxTensor.createTensor(env, FloatBuffer.allocate(0), kvShape));
                } else {
                    feed.put(kvNames.get(i), OnnxTensor.createTensor(env, FloatBuffer.wrap(past.kv().get(i)),
                            past.kvShape()));
                }
            }
            try (OrtSession.Result r = s.run(feed)) {
                float[] logits = floats((OnnxTensor) r.get(0));
                List<float[]> kv = new ArrayList<>();
                long[] shape = null;
                for (int i = 1; i < r.size(); i++) {
                    OnnxTensor t = (OnnxTensor) r.get(i);
                    kv.add(floats(t));
                    shape = t.getInfo().getShape();
                }
                long[] logitShape = ((OnnxTensor) r.get(0)).getInfo().getShape();
                assertThat(logitShape).containsExactly(b, seq, VOCAB);
                assertThat(shape[2]).isEqualTo(mask[0].length);
                return new Step(logits, b, seq, kv, shape);
            }
        } finally {
            for (OnnxTensor t : feed.values()) {
                t.close();
            }
        }
    }

    static OnnxTensor longs(long[][] rows) throws OrtException {
        LongBuffer buf = LongBuffer.allocate(rows.length * rows[0].length);
        for (long[] row : rows) {
            buf.put(row);
        }
        buf.flip();
        return OnnxTensor.createTensor(env, buf, new long[] {rows.length, rows[0].length});
    }

    static float[] floats(OnnxTensor t) {
        FloatBuffer fb = t.getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    static long[][] single(long... values) {
        return new long[][] {values};
    }

    static long[] range(long from, long to) {
        long[] r = new long[(int) (to - from)];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    static long[] ones(int n) {
        long[] r = new long[n];
        Arrays.fill(r, 1);
        return r;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static List<String> variants(String model) {
        return model.equals("tiny-gqa") ? List.of("tiny-gqa/model", "tiny-gqa/model_q4") : List.of("tiny-mha/model");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-mha/model", "tiny-gqa/model", "tiny-gqa/model_q4"})
    void decode_withKvCache_equalsFullRecomputation(String variant) throws Exception {
        OrtSession s = session(variant);
        long[] prompt = reference(variant.split("/")[0], "prompt");
        int n = prompt.length;
        Step step = run(s, single(prompt), single(ones(n)), single(range(0, n)), null);
        List<float[]> cached = new ArrayList<>();
        cached.add(step.row(0, n - 1));
        long[] sequence = Arrays.copyOf(prompt, n + 20);
        for (int i = 0; i < 20; i++) {
            long next = argmax(cached.get(i));
            sequence[n + i] = next;
            step = run(s, single(next), single(ones(n + i + 1)), single(n + i), step);
            cached.add(step.row(0, 0));
        }
        long distinct = Arrays.stream(sequence, n, n + 20).distinct().count();
        assertThat(distinct).as("greedy decoding of random weights should wander").isGreaterThan(8);

        int len = n + 20;
        Step full = run(s, single(sequence), single(ones(len)), single(range(0, len)), null);
        for (int i = 0; i <= 20; i++) {
            assertThat(maxAbsDiff(full.row(0, n - 1 + i), cached.get(i))).as("step " + i).isLessThan(1e-4f);
        }
        // the prefill's KV equals the first n positions of the full run's KV
        Step prefill = run(s, single(prompt), single(ones(n)), single(range(0, n)), null);
        int d = (int) prefill.kvShape()[3];
        int heads = (int) prefill.kvShape()[1];
        for (int l = 0; l < prefill.kv().size(); l++) {
            for (int h = 0; h < heads; h++) {
                float[] a = Arrays.copyOfRange(prefill.kv().get(l), h * n * d, (h + 1) * n * d);
                float[] b = Arrays.copyOfRange(full.kv().get(l), h * len * d, h * len * d + n * d);
                assertThat(maxAbsDiff(a, b)).isLessThan(1e-5f);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-mha/model", "tiny-gqa/model", "tiny-gqa/model_q4"})
    void forward_positionIds_changeTheLogits(String variant) throws Exception {
        OrtSession s = session(variant);
        long[] prompt = reference(variant.split("/")[0], "prompt");
        int n = prompt.length;
        long[] gap = range(0, n);
        gap[n - 1] += 7; // rotary embeddings only see relative positions, so move one token, not all
        Step plain = run(s, single(prompt), single(ones(n)), single(range(0, n)), null);
        Step moved = run(s, single(prompt), single(ones(n)), single(gap), null);
        assertThat(maxAbsDiff(plain.row(0, n - 2), moved.row(0, n - 2))).isLessThan(1e-5f);
        assertThat(maxAbsDiff(plain.row(0, n - 1), moved.row(0, n - 1))).isGreaterThan(1e-2f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-mha/model", "tiny-gqa/model", "tiny-gqa/model_q4"})
    void forward_leftPaddedBatch_givesEachRowItsOwnLogits(String variant) throws Exception {
        OrtSession s = session(variant);
        long[] a = reference(variant.split("/")[0], "prompt");
        long[] b = {872, 198, 1879, 11, 2746};
        int len = a.length;
        int pad = len - b.length;
        long[] bPadded = new long[len];
        long[] bMask = new long[len];
        long[] bPos = new long[len];
        for (int i = 0; i < len; i++) {
            boolean real = i >= pad;
            bPadded[i] = real ? b[i - pad] : ENDOFTEXT;
            bMask[i] = real ? 1 : 0;
            bPos[i] = real ? i - pad : 1; // what transformers puts at padded positions
        }
        Step batch = run(s, new long[][] {a, bPadded}, new long[][] {ones(len), bMask},
                new long[][] {range(0, len), bPos}, null);
        Step aloneA = run(s, single(a), single(ones(len)), single(range(0, len)), null);
        Step aloneB = run(s, single(b), single(ones(b.length)), single(range(0, b.length)), null);
        for (int i = 0; i < len; i++) {
            assertThat(maxAbsDiff(batch.row(0, i), aloneA.row(0, i))).isLessThan(1e-4f);
        }
        for (int i = 0; i < b.length; i++) {
            assertThat(maxAbsDiff(batch.row(1, pad + i), aloneB.row(0, i))).isLessThan(1e-4f);
        }
        // a cached step after the padded prefill still matches each row alone
        long nextA = argmax(aloneA.row(0, len - 1));
        long nextB = argmax(aloneB.row(0, b.length - 1));
        long[] bStepMask = Arrays.copyOf(bMask, len + 1);
        bStepMask[len] = 1;
        Step batchStep = run(s, new long[][] {{nextA}, {nextB}}, new long[][] {ones(len + 1), bStepMask},
                new long[][] {{len}, {b.length}}, batch);
        Step stepA = run(s, single(nextA), single(ones(len + 1)), single(len), aloneA);
        Step stepB = run(s, single(nextB), single(ones(b.length + 1)), single(b.length), aloneB);
        assertThat(maxAbsDiff(batchStep.row(0, 0), stepA.row(0, 0))).isLessThan(1e-4f);
        assertThat(maxAbsDiff(batchStep.row(1, 0), stepB.row(0, 0))).isLessThan(1e-4f);
    }

    @Test
    void forward_q4Model_matchesTheFp32ModelOfItsDequantizedWeights() throws Exception {
        long[] prompt = reference("tiny-gqa", "prompt");
        int n = prompt.length;
        Step fp32 = run(session("tiny-gqa/model"), single(prompt), single(ones(n)), single(range(0, n)), null);
        Step q4 = run(session("tiny-gqa/model_q4"), single(prompt), single(ones(n)), single(range(0, n)), null);
        assertThat(maxAbsDiff(fp32.logits(), q4.logits())).isLessThan(1e-3f);
        for (int i = 0; i < n; i++) {
            assertThat(argmax(q4.row(0, i))).isEqualTo(argmax(fp32.row(0, i)));
        }
        assertThat(Files.size(dir("tiny-gqa").resolve("onnx/model_q4.onnx")))
                .isLessThan(Files.size(dir("tiny-gqa").resolve("onnx/model.onnx_data")) / 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-mha/model", "tiny-gqa/model", "tiny-gqa/model_q4"})
    void forward_onnxRuntime_agreesWithTheGeneratorsNumPyForwardPass(String variant) throws Exception {
        String model = variant.split("/")[0];
        OrtSession s = session(variant);
        long[] prompt = reference(model, "prompt");
        int n = prompt.length;
        Step step = run(s, single(prompt), single(ones(n)), single(range(0, n)), null);
        float[] last = step.row(0, n - 1);
        double[] expected = doubles(model, "last_logits_first_32");
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) last[i]).as("logit " + i).isCloseTo(expected[i], within(2e-3));
        }
        long[] greedy = reference(model, "greedy_24");
        long[] got = new long[greedy.length];
        long next = argmax(last);
        for (int i = 0; i < greedy.length; i++) {
            got[i] = next;
            step = run(s, single(next), single(ones(n + i + 1)), single(n + i), step);
            next = argmax(step.row(0, 0));
        }
        assertThat(got).containsExactly(greedy);
        assertThat(got).doesNotContain(IM_END, ENDOFTEXT);
    }

    // ------------------------------------------------------------------------------------------- JSON bits

    static String referenceText(String model) {
        try {
            return Files.readString(dir(model).resolveSibling(model + ".reference.json"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static long[] reference(String model, String key) {
        return Arrays.stream(doubles(model, key)).mapToLong(v -> (long) v).toArray();
    }

    static double[] doubles(String model, String key) {
        return numbers(referenceText(model), key);
    }

    static long[] array(String json, String key) {
        return Arrays.stream(numbers(json, key)).mapToLong(v -> (long) v).toArray();
    }

    static double[] numbers(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\\[([^\\]]*)]").matcher(json);
        assertThat(m.find()).as(key + " in " + json).isTrue();
        return Arrays.stream(m.group(1).split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .mapToDouble(Double::parseDouble).toArray();
    }

    static int intField(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(\\d+)").matcher(json);
        assertThat(m.find()).as(key).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
