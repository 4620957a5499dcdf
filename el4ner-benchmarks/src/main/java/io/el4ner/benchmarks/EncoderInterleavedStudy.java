package io.el4ner.benchmarks;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.el4ner.onnx.OnnxSentenceEncoder;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The contenders of {@link EncoderThroughputBenchmark} timed in turn inside one JVM: each round passes over the
 * same 1,024 texts with langchain4j, then {@code ort-alone}, then el4ner, so that the three share the machine's
 * speed of that moment (it drifts by up to 1.5× within minutes here, more than the differences measured). Prints
 * every round's texts per second and, per contender, the median, lowest and highest ratio to langchain4j over
 * the rounds. Run with:
 * {@code java -cp el4ner-benchmarks/target/benchmarks.jar io.el4ner.benchmarks.EncoderInterleavedStudy [rounds]}
 */
public final class EncoderInterleavedStudy {
    private static final String[] NAMES = {"langchain4j", "ort-alone", "el4ner"};

    private EncoderInterleavedStudy() {
    }

    /**
     * @param args optional: the rounds (default 8)
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        List<String> texts = EncoderThroughputBenchmark.texts();
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        ExecutorService executor = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try (OnnxSentenceEncoder ours = OnnxSentenceEncoder.builder().defaultModel().build();
                EncoderThroughputBenchmark.KernelsAlone kernels = new EncoderThroughputBenchmark.KernelsAlone(texts)) {
            AllMiniLmL6V2QuantizedEmbeddingModel theirs = new AllMiniLmL6V2QuantizedEmbeddingModel(executor);
            for (int batch : new int[] {1, 32}) {
                double[][] perSecond = new double[NAMES.length][rounds];
                for (int round = 0; round <= rounds; round++) {
                    StringBuilder line = new StringBuilder(batch + " per call, round " + round + ":");
                    for (int c = 0; c < NAMES.length; c++) {
                        long t0 = System.nanoTime();
                        for (int i = 0; i + batch <= texts.size(); i += batch) {
                            switch (c) {
                                case 0 -> {
                                    if (batch == 1) {
                                        theirs.embed(segments.get(i));
                                    } else {
                                        theirs.embedAll(segments.subList(i, i + batch));
                                    }
                                }
                                case 1 -> {
                                    if (batch == 1) {
                                        kernels.run(i);
                                    } else {
                                        kernels.runAll(executor, i, batch);
                                    }
                                }
                                default -> ours.encode(texts.subList(i, i + batch));
                            }
                        }
                        double rate = texts.size() / ((System.nanoTime() - t0) / 1e9);
                        line.append(String.format("  %s %.0f/s", NAMES[c], rate));
                        if (round > 0) { // round 0 warms up
                            perSecond[c][round - 1] = rate;
                        }
                    }
                    System.out.println(round == 0 ? line + " (warm-up)" : line);
                }
                for (int c = 1; c < NAMES.length; c++) {
                    double[] ratio = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        ratio[r] = perSecond[c][r] / perSecond[0][r];
                    }
                    Arrays.sort(ratio);
                    double median = rounds % 2 == 1 ? ratio[rounds / 2] : (ratio[rounds / 2 - 1] + ratio[rounds / 2]) / 2;
                    System.out.printf("%d per call: %s / langchain4j median %.2fx (%.2f to %.2f over %d rounds)%n",
                            batch, NAMES[c], median, ratio[0], ratio[rounds - 1], rounds);
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
