package io.el4ner.benchmarks;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.Scheme;
import io.el4ner.onnx.OnnxSentenceEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sentence-encoder throughput, texts per second, on the same model files (all-MiniLM-L6-v2 quantized, from the
 * langchain4j jar) and the same texts: el4ner's {@link OnnxSentenceEncoder} against langchain4j's own
 * {@code AllMiniLmL6V2QuantizedEmbeddingModel}, one text per call ({@code batch1}) and 32 per call
 * ({@code batch32}; langchain4j's {@code embedAll}, which runs each text alone on its executor, one thread per
 * available processor, as it does by default). Both use ONNX Runtime's default session threads.
 *
 * <p>The third contender, {@code ort-alone}, is no encoder: ONNX Runtime alone on the same model, texts tokenized
 * before the measurement, each text in a run of its own on one ONNX Runtime thread, one run per processor at
 * once ({@code batch32}), no pooling. It is the speed of the model's kernels for one text at a time, so an encoder
 * that runs texts one at a time (langchain4j does) cannot be faster than it, and an encoder that is faster must
 * batch texts together. Texts: the
 * first 1,024 sentences of CoNLL-2003 dev ({@code ../shared/data/conll2003/eng.testa}, 14 words on average) or,
 * without the data, 1,024 generated sentences of 4 to 30 words; each call takes the next ones in turn. Run with:
 * {@code ./mvnw -q -pl el4ner-benchmarks -am -DskipTests package && java -jar el4ner-benchmarks/target/benchmarks.jar Encoder -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
public class EncoderThroughputBenchmark {
    private static final int TEXTS = 1024;

    /** Which encoder ({@code ort-alone}: the model's kernels alone, see the class comment). */
    @Param({"el4ner", "langchain4j", "ort-alone"})
    String encoder;

    private List<String> texts;
    private List<TextSegment> segments;
    private OnnxSentenceEncoder ours;
    private AllMiniLmL6V2QuantizedEmbeddingModel theirs;
    private ExecutorService executor;
    private KernelsAlone kernels;
    private int next;

    /** Loads the texts and the encoder. */
    @Setup
    public void setUp() {
        texts = texts();
        segments = texts.stream().map(TextSegment::from).toList();
        if ("el4ner".equals(encoder)) {
            ours = OnnxSentenceEncoder.builder().defaultModel().build();
        } else if ("ort-alone".equals(encoder)) {
            executor = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
            kernels = new KernelsAlone(texts);
        } else {
            executor = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
            theirs = new AllMiniLmL6V2QuantizedEmbeddingModel(executor);
        }
    }

    /** Releases the encoder. */
    @TearDown
    public void tearDown() {
        if (ours != null) {
            ours.close();
        }
        if (kernels != null) {
            kernels.close();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** @return one text's vector */
    @Benchmark
    public Object batch1() {
        int i = next;
        next = (i + 1) % TEXTS;
        if (ours != null) {
            return ours.encode(List.of(texts.get(i)));
        }
        if (kernels != null) {
            return kernels.run(i);
        }
        return theirs.embed(segments.get(i));
    }

    /** @return 32 texts' vectors */
    @Benchmark
    @OperationsPerInvocation(32)
    public Object batch32() {
        int i = next;
        next = (i + 32) % TEXTS;
        if (ours != null) {
            return ours.encode(texts.subList(i, i + 32));
        }
        if (kernels != null) {
            return kernels.runAll(executor, i, 32);
        }
        return theirs.embedAll(segments.subList(i, i + 32));
    }

    static List<String> texts() {
        Path dev = SpanSimilarityData.dataDir().resolve("conll2003/eng.testa");
        List<String> out = new ArrayList<>();
        if (Files.isRegularFile(dev)) {
            try {
                for (ConllSentence s : ConllReader.builder().scheme(Scheme.IOB1).build().read(dev)) {
                    if (out.size() == TEXTS) {
                        break;
                    }
                    out.add(s.text());
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        String[] words = ("the a of in to and said on for was with by at from his that is as it were "
                + "Germany Berlin Reuters Monday Clinton United States percent market shares government police "
                + "minister team match season won lost play first second year week million dollars").split(" ");
        SplittableRandom r = new SplittableRandom(7);
        while (out.size() < TEXTS) {
            StringBuilder b = new StringBuilder();
            int n = 4 + r.nextInt(27);
            for (int w = 0; w < n; w++) {
                b.append(w == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
            }
            out.add(b.append(" .").toString());
        }
        return out;
    }

    /** ONNX Runtime alone on the bundled model: pre-tokenized texts, each in a run of its own on one thread. */
    static final class KernelsAlone implements AutoCloseable {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;
        private final long[][] ids;
        private final long[][] masks;
        private final long[][] types;

        KernelsAlone(List<String> texts) {
            try (InputStream model = resource("/all-minilm-l6-v2-q.onnx");
                    InputStream vocabulary = resource("/all-minilm-l6-v2-q-tokenizer.json");
                    HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(vocabulary,
                            Map.of("padding", "false", "truncation", "true", "maxLength", "256"));
                    OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                session = env.createSession(model.readAllBytes(), options);
                ids = new long[texts.size()][];
                masks = new long[texts.size()][];
                types = new long[texts.size()][];
                for (int i = 0; i < texts.size(); i++) {
                    Encoding e = tokenizer.encode(texts.get(i));
                    ids[i] = e.getIds();
                    masks[i] = e.getAttentionMask();
                    types[i] = e.getTypeIds();
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            } catch (OrtException ex) {
                throw new IllegalStateException(ex);
            }
        }

        private static InputStream resource(String name) {
            InputStream in = KernelsAlone.class.getResourceAsStream(name);
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path (langchain4j's MiniLM jar)");
            }
            return in;
        }

        /** Runs text {@code i} alone; returns its first token-vector value so the work is not optimised away. */
        float run(int i) {
            long[] shape = {1, ids[i].length};
            try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids[i]), shape);
                    OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(masks[i]), shape);
                    OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(types[i]), shape);
                    OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", m, "token_type_ids", t))) {
                return ((OnnxTensor) r.get(0)).getFloatBuffer().get(0);
            } catch (OrtException ex) {
                throw new IllegalStateException(ex);
            }
        }

        /** Runs texts {@code from} to {@code from + count}, each alone, spread over the executor's threads. */
        float runAll(ExecutorService pool, int from, int count) {
            int lanes = Runtime.getRuntime().availableProcessors();
            List<Callable<Float>> tasks = new ArrayList<>();
            for (int lane = 0; lane < lanes; lane++) {
                int first = from + lane;
                tasks.add(() -> {
                    float sum = 0;
                    for (int i = first; i < from + count; i += lanes) {
                        sum += run(i);
                    }
                    return sum;
                });
            }
            try {
                float sum = 0;
                for (Future<Float> f : pool.invokeAll(tasks)) {
                    sum += f.get();
                }
                return sum;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            } catch (ExecutionException ex) {
                throw new IllegalStateException(ex.getCause());
            }
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }
}
