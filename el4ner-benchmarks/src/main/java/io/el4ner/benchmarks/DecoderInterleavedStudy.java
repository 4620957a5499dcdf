package io.el4ner.benchmarks;

import ai.onnxruntime.OrtException;
import java.util.Arrays;

/**
 * The decode contenders of {@link DecoderDecodeBenchmark} timed in turn inside one JVM, so that each ratio compares
 * calls made at the same moment of a shared machine whose speed drifts: per variant, each round decodes 128 new
 * tokens per row, again and again for at least 0.4 s, with el4ner's engine and with {@code ort-alone} at batch 1 and
 * at batch 8 (and, with {@code no-cache}, once
 * without a KV cache at batch 1), alternating which goes first. Prints each round's tokens per second, then the
 * median, lowest and highest over the rounds of: el4ner / ort-alone at each batch, batch 8 / batch 1 for each, and
 * el4ner / no-cache. Then the prefill of {@link DecoderPrefillBenchmark} the same way: each round prefills the second
 * stages' prompts with el4ner and {@code ort-alone}, without and with the first stage's cache to reuse, in turn; it
 * prints the share of the prefill time that reuse saves over the share of tokens reused (1.0: time saved in
 * proportion). Run with:
 * {@code java -cp el4ner-benchmarks/target/benchmarks.jar io.el4ner.benchmarks.DecoderInterleavedStudy [rounds]
 * [stage|short] [no-cache]}
 */
public final class DecoderInterleavedStudy {
    /** The least time one contender runs in a round (whole calls): 0.4 s. */
    private static final long SAMPLE_NANOS = 400_000_000L;

    private DecoderInterleavedStudy() {
    }

    /**
     * @param args optional: the rounds (default 10); the prompts, {@code stage} (default) or {@code short} (see
     *     {@link DecoderContenders}); {@code no-cache} to time decoding without a cache too
     */
    public static void main(String[] args) throws OrtException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String prompt = args.length > 1 ? args[1] : "stage";
        boolean noCache = args.length > 2 && args[2].equals("no-cache");
        for (String variant : new String[] {"model", "model_q4"}) {
            try (DecoderContenders one = new DecoderContenders(variant, 1, 1, prompt);
                    DecoderContenders eight = new DecoderContenders(variant, 8, 1, prompt)) {
                System.out.println(one.agreement());
                System.out.println(eight.agreement());
                // per round, tokens/s of: el4ner b1, ort-alone b1, el4ner b8, ort-alone b8, no-cache b1
                double[][] rate = new double[5][rounds];
                for (int round = 0; round <= rounds; round++) {
                    double[] r = new double[5];
                    boolean el4nerFirst = round % 2 == 0;
                    for (int k = 0; k < 2; k++) {
                        if ((k == 0) == el4nerFirst) {
                            r[0] = time(one, 0);
                            r[2] = time(eight, 0);
                        } else {
                            r[1] = time(one, 1);
                            r[3] = time(eight, 1);
                        }
                    }
                    if (noCache) {
                        r[4] = time(one, 2);
                    }
                    System.out.printf("%s %s round %d: el4ner %.0f / %.0f tokens/s, ort-alone %.0f / %.0f (batch 1 / 8)"
                            + "%s%s%n", variant, prompt, round, r[0], r[2], r[1], r[3],
                            noCache ? String.format(", no-cache %.0f (batch 1)", r[4]) : "",
                            round == 0 ? " (warm-up)" : "");
                    if (round > 0) {
                        for (int c = 0; c < 5; c++) {
                            rate[c][round - 1] = r[c];
                        }
                    }
                }
                print(variant, "el4ner / ort-alone, batch 1", rate[0], rate[1]);
                print(variant, "el4ner / ort-alone, batch 8", rate[2], rate[3]);
                print(variant, "el4ner batch 8 / batch 1", rate[2], rate[0]);
                print(variant, "ort-alone batch 8 / batch 1", rate[3], rate[1]);
                if (noCache) {
                    print(variant, "el4ner KV cache / no cache, batch 1", rate[0], rate[4]);
                }
            }
            prefill(variant, rounds);
        }
    }

    /**
     * Prefill of the second stages' prompts ({@link DecoderPrefills}), without and with the first stage's cache to
     * reuse, el4ner and ort-alone; prints the prefill time saved over the share of tokens reused.
     */
    private static void prefill(String variant, int rounds) throws OrtException {
        try (DecoderPrefills p = new DecoderPrefills(variant, 1)) {
            System.out.println(p.describe());
            // per round, prompt tokens per second of: el4ner none, el4ner prefix, ort-alone none, ort-alone prefix
            double[][] rate = new double[4][rounds];
            for (int round = 0; round <= rounds; round++) {
                double[] r = new double[4];
                for (int k = 0; k < 4; k++) {
                    int c = (k + round) % 4;
                    r[c] = prefillRate(p, c < 2, c % 2 == 1);
                }
                System.out.printf("%s prefill round %d: el4ner %.0f / %.0f tokens/s, ort-alone %.0f / %.0f (no reuse / "
                        + "prefix reused)%s%n", variant, round, r[0], r[1], r[2], r[3], round == 0 ? " (warm-up)" : "");
                if (round > 0) {
                    for (int c = 0; c < 4; c++) {
                        rate[c][round - 1] = r[c];
                    }
                }
            }
            double share = p.share();
            for (int c = 0; c < 4; c += 2) {
                double[] saved = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    saved[i] = (1 - rate[c][i] / rate[c + 1][i]) / share; // time with reuse = rate without / with
                }
                Arrays.sort(saved);
                System.out.printf("%s: %s prefill time saved by reuse / share of tokens reused (%.1f%%): median %.2f "
                        + "(%.2f to %.2f over %d rounds)%n", variant, c == 0 ? "el4ner" : "ort-alone", 100 * share,
                        median(saved), saved[0], saved[rounds - 1], rounds);
            }
            print(variant, "el4ner / ort-alone prefill, no reuse", rate[0], rate[2]);
            print(variant, "el4ner / ort-alone prefill, prefix reused", rate[1], rate[3]);
        }
    }

    /** @return prompt tokens per second, each pair prepared before its (timed) call, for at least 0.4 s of calls */
    private static double prefillRate(DecoderPrefills p, boolean el4ner, boolean reuse) throws OrtException {
        long timed = 0;
        long tokens = 0;
        for (int i = 0; timed < SAMPLE_NANOS; i = (i + 1) % DecoderPrefills.PAIRS) {
            p.prepare(i, reuse);
            long t0 = System.nanoTime();
            if (el4ner) {
                p.el4ner(i, reuse);
            } else {
                p.ortAlone(i, reuse);
            }
            timed += System.nanoTime() - t0;
            tokens += p.second[i].length;
        }
        return tokens / (timed / 1e9);
    }

    /**
     * @return tokens per second of contender {@code c} (0 el4ner, 1 ort-alone, 2 no-cache), called again until
     *     {@link #SAMPLE_NANOS} have passed
     */
    private static double time(DecoderContenders d, int c) throws OrtException {
        long t0 = System.nanoTime();
        long calls = 0;
        long elapsed;
        do {
            switch (c) {
                case 0 -> d.el4ner();
                case 1 -> d.ortAlone();
                default -> d.noCache();
            }
            calls++;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < SAMPLE_NANOS);
        return (double) calls * d.batch * DecoderContenders.NEW_TOKENS / (elapsed / 1e9);
    }

    private static void print(String variant, String what, double[] a, double[] b) {
        double[] ratio = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            ratio[i] = a[i] / b[i];
        }
        Arrays.sort(ratio);
        System.out.printf("%s: %s median %.2fx (%.2f to %.2f over %d rounds)%n", variant, what, median(ratio),
                ratio[0], ratio[ratio.length - 1], ratio.length);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
