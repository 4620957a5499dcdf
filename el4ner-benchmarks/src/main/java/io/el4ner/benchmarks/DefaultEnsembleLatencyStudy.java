package io.el4ner.benchmarks;

import io.el4ner.api.NerResult;
import io.el4ner.api.Stage;
import io.el4ner.api.UsageEntry;
import io.el4ner.core.DefaultEnsemble;
import io.el4ner.core.EnsembleNer;
import io.el4ner.onnx.OnnxDecoderMember;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 14's latency study: how long one sentence takes with the default ensemble's pipeline on this machine's CPU,
 * with a random-weight fixture of a real member's shape in place of the real (q4) weights, which cannot be downloaded
 * here. The ensemble is built as {@link DefaultEnsemble#configure} builds it (its entity types, demonstration pool,
 * {@code span-sim} retrieval, demonstration count, self-validation by the first member), but with one member: the
 * fixture, named {@code qwen} and run with {@link DefaultEnsemble#MAX_NEW_TOKENS} and the default thread count. It
 * prints the load time, then for each sentence (after one warm-up sentence) the wall time, the calls and tokens of
 * each stage from {@link NerResult#usage()}, and the member's prompt tokens computed, reused and tokens generated
 * from {@link OnnxDecoderMember#stats()}.
 *
 * <pre>{@code
 * java -cp el4ner-benchmarks/target/benchmarks.jar io.el4ner.benchmarks.DefaultEnsembleLatencyStudy \
 *     el4ner-benchmarks/target/fixtures/qwen2.5-0.5b-shape [sentences]
 * }</pre>
 */
public final class DefaultEnsembleLatencyStudy {
    /** CoNLL-2003-like news sentences, written for this study. */
    private static final List<String> SENTENCES = List.of(
            "Germany's Chancellor met French President Emmanuel Macron in Berlin on Tuesday.",
            "Manchester United beat Arsenal 2-1 at Old Trafford on Saturday, with goals from Marcus Rashford.",
            "Shares of Siemens rose 3 percent in Frankfurt after the company raised its forecast.",
            "The European Commission fined Google 2.4 billion euros, officials in Brussels said.",
            "Australian swimmer Ian Thorpe won the 400 metres freestyle at the Sydney Olympics.",
            "Reuters reported that Toyota will build a new plant in Kentucky next year.",
            "Kenya's Paul Tergat finished second in the London Marathon behind Khalid Khannouchi.",
            "The United Nations Security Council met in New York to discuss the crisis in Kosovo.",
            "Italian Prime Minister Romano Prodi said Rome would support the NATO plan.",
            "Brazil's central bank in Brasilia cut its main interest rate to 19 percent.");

    private DefaultEnsembleLatencyStudy() {
    }

    /**
     * @param args the fixture's folder (Hugging Face layout, {@code onnx/model.onnx}); optionally the number of
     *     timed sentences (default 6, at most 9: one more is the warm-up)
     */
    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "el4ner-benchmarks/target/fixtures/qwen2.5-0.5b-shape");
        int count = Math.min(args.length > 1 ? Integer.parseInt(args[1]) : 6, SENTENCES.size() - 1);
        if (!Files.isRegularFile(dir.resolve("onnx/model.onnx"))) {
            throw new IllegalArgumentException(dir + "/onnx/model.onnx is missing: see el4ner-benchmarks/README.md");
        }
        System.out.printf("fixture %s, %d processors, max heap %d MB%n", dir,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        long t0 = System.nanoTime();
        OnnxDecoderMember member = OnnxDecoderMember.builder().name("qwen").directory(dir).variant("model")
                .maxNewTokens(DefaultEnsemble.MAX_NEW_TOKENS).build();
        long memberLoaded = System.nanoTime();
        EnsembleNer.Builder b = EnsembleNer.builder().entityTypes(DefaultEnsemble.entityTypes()).member(member)
                .demonstrations(DefaultEnsemble.demonstrations())
                .demonstrationCount(DefaultEnsemble.DEMONSTRATION_COUNT)
                .retriever(DefaultEnsemble.RETRIEVER, Map.of()).validation(DefaultEnsemble.VALIDATION)
                .verifier("qwen");
        try (EnsembleNer ner = b.build()) {
            long built = System.nanoTime();
            System.out.printf("load: member %.1f s, ensemble (encoder, pool) %.1f s; settings %s%n",
                    (memberLoaded - t0) / 1e9, (built - memberLoaded) / 1e9, member.settings());
            long w0 = System.nanoTime();
            NerResult warm = ner.recognize(SENTENCES.get(0));
            System.out.printf("warm-up sentence: %.1f s, %d entities%n%n", (System.nanoTime() - w0) / 1e9,
                    warm.entities().size());
            System.out.println("| # | words | wall s | calls | stage: calls / prompt tok / generated tok / call s "
                    + "| prompt tok computed | reused | generated | ms per generated tok (all calls) | entities |");
            System.out.println("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
            double sumWall = 0;
            long sumGen = 0;
            long sumComputed = 0;
            long sumCalls = 0;
            for (int i = 1; i <= count; i++) {
                String s = SENTENCES.get(i);
                OnnxDecoderMember.Stats before = member.stats();
                long s0 = System.nanoTime();
                NerResult r = ner.recognize(s);
                double wall = (System.nanoTime() - s0) / 1e9;
                OnnxDecoderMember.Stats after = member.stats();
                long computed = (after.promptTokens() - before.promptTokens())
                        - (after.reusedPromptTokens() - before.reusedPromptTokens());
                long reused = after.reusedPromptTokens() - before.reusedPromptTokens();
                long gen = after.generatedTokens() - before.generatedTokens();
                Map<Stage, long[]> stages = new EnumMap<>(Stage.class);
                for (UsageEntry e : r.usage().entries()) {
                    long[] a = stages.computeIfAbsent(e.stage(), k -> new long[4]);
                    a[0] += e.calls();
                    a[1] += e.promptTokens();
                    a[2] += e.completionTokens();
                    a[3] += e.latencyMillis();
                }
                StringBuilder st = new StringBuilder();
                stages.forEach((k, a) -> st.append(st.length() == 0 ? "" : "; ").append(k).append(": ").append(a[0])
                        .append(" / ").append(a[1]).append(" / ").append(a[2])
                        .append(String.format(" / %.1f", a[3] / 1e3)));
                System.out.printf("| %d | %d | %.1f | %d | %s | %d | %d | %d | %.0f | %d |%n", i,
                        s.split("\\s+").length, wall, r.usage().totalCalls(), st, computed, reused, gen,
                        gen == 0 ? 0 : wall * 1e3 / gen, r.entities().size());
                sumWall += wall;
                sumGen += gen;
                sumComputed += computed;
                sumCalls += r.usage().totalCalls();
            }
            System.out.printf("%nmean over %d sentences: %.1f s per sentence, %.1f calls, %.0f prompt tokens computed,"
                    + " %.0f tokens generated; member totals %s%n", count, sumWall / count,
                    sumCalls / (double) count, sumComputed / (double) count, sumGen / (double) count, member.stats());
        }
    }
}
