package io.el4ner.benchmarks;

import io.el4ner.api.LabeledSpan;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.TracedResult;
import io.el4ner.core.ValidationMode;
import io.el4ner.eval.Ablations;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.EvaluationItem;
import io.el4ner.eval.EvaluationRun;
import io.el4ner.eval.Scheme;
import io.el4ner.eval.ScoredSpan;
import io.el4ner.eval.Scorer;
import io.el4ner.eval.TokenSpan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Simulation study of the aggregation logic: simulated members answer from gold data with independent, seeded
 * error rates, and we watch how F1 moves with the number of members and their error rates, stage by stage,
 * against the best single member. It tests el4ner's ensemble logic, not real LLMs: real members' errors are
 * correlated and far less tidy. Run from the project root:
 * {@code java -cp el4ner-benchmarks/target/benchmarks.jar io.el4ner.benchmarks.SimulationStudy ../shared/data}
 */
public final class SimulationStudy {
    private SimulationStudy() {
    }

    /** An error profile: miss, boundary, type, hallucination, verifier error. */
    record Profile(String name, double miss, double boundary, double type, double hallucination, double verifier) {
    }

    /** One dataset of the study. */
    record Dataset(String name, Path file, Scheme scheme, List<String> types) {
    }

    /**
     * @param args the shared data directory (default {@code ../shared/data}), then optionally the sentences per
     *     dataset (default 500)
     * @throws IOException when the data cannot be read
     */
    public static void main(String[] args) throws IOException {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        List<Dataset> datasets = List.of(
                new Dataset("WNUT-17 test", data.resolve("wnut17/emerging.test.annotated"), Scheme.IOB2,
                        List.of("person", "location", "group", "creative-work", "corporation", "product")),
                new Dataset("CoNLL-2003 test", data.resolve("conll2003/eng.testb"), Scheme.IOB1,
                        List.of("PER", "LOC", "ORG", "MISC")));
        List<Profile> profiles = List.of(
                new Profile("low", 0.10, 0.05, 0.05, 0.10, 0.05),
                new Profile("medium", 0.25, 0.10, 0.15, 0.30, 0.10),
                new Profile("high", 0.40, 0.20, 0.30, 0.60, 0.20));
        System.out.println("| dataset | errors | members | best single | union | quorum 2 | vote | validation "
                + "(single) | validation (majority) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Dataset d : datasets) {
            if (!Files.isRegularFile(d.file())) {
                System.err.println("skipping " + d.name() + ": " + d.file() + " not found");
                continue;
            }
            List<ConllSentence> all = ConllReader.builder().scheme(d.scheme()).build().read(d.file());
            List<EvaluationItem> items = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                items.add(new EvaluationItem(String.valueOf(i), d.name(), "en", all.get(i)));
            }
            List<ConllSentence> sample = EvaluationRun.sample(items, n, 1).stream().map(EvaluationItem::sentence)
                    .toList();
            for (Profile p : profiles) {
                for (int members : new int[] {1, 3, 5}) {
                    Map<String, Double> row = study(d, p, members, sample);
                    System.out.printf(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
                            d.name(), p.name(), members, row.get("best"), row.get(Ablations.UNION),
                            row.get("quorum"), row.get(Ablations.VOTE), row.get(Ablations.VALIDATION),
                            row.get("majority"));
                }
            }
        }
    }

    private static Map<String, Double> study(Dataset d, Profile p, int members, List<ConllSentence> sample) {
        Map<String, List<ScoredSpan>> rows = new LinkedHashMap<>();
        List<ScoredSpan> gold = new ArrayList<>();
        for (int i = 0; i < sample.size(); i++) {
            ConllSentence s = sample.get(i);
            for (TokenSpan t : s.spans()) {
                LabeledSpan c = s.toCharSpan(t);
                gold.add(new ScoredSpan(i, c.start(), c.end(), c.type()));
            }
        }
        List<String> names = new ArrayList<>();
        try (EnsembleNer single = ensemble(d, p, members, names, 1, ValidationMode.SINGLE);
             EnsembleNer quorum = ensemble(d, p, members, new ArrayList<>(), 2, ValidationMode.SINGLE);
             EnsembleNer majority = ensemble(d, p, members, new ArrayList<>(), 1, ValidationMode.MAJORITY)) {
            for (int i = 0; i < sample.size(); i++) {
                String text = sample.get(i).text();
                TracedResult t = single.recognizeTraced(text);
                final int sentence = i;
                Ablations.of(t, names).forEach((row, spans) -> add(rows, row, sentence, spans));
                add(rows, "quorum", i, Ablations.of(quorum.recognizeTraced(text), names).get(Ablations.VOTE));
                add(rows, "majority", i, Ablations.of(majority.recognizeTraced(text), names).get(Ablations.VALIDATION));
            }
        }
        Map<String, Double> f1 = new LinkedHashMap<>();
        double best = 0;
        for (Map.Entry<String, List<ScoredSpan>> e : rows.entrySet()) {
            double v = 100 * Scorer.spans(sample.size(), gold, e.getValue()).micro().f1();
            f1.put(e.getKey(), v);
            if (e.getKey().startsWith("member:")) {
                best = Math.max(best, v);
            }
        }
        f1.put("best", best);
        return f1;
    }

    private static void add(Map<String, List<ScoredSpan>> rows, String row, int sentence, List<LabeledSpan> spans) {
        List<ScoredSpan> r = rows.computeIfAbsent(row, k -> new ArrayList<>());
        Set<LabeledSpan> unique = new LinkedHashSet<>(spans);
        for (LabeledSpan s : unique) {
            r.add(new ScoredSpan(sentence, s.start(), s.end(), s.type()));
        }
    }

    private static EnsembleNer ensemble(Dataset d, Profile p, int members, List<String> names, int quorum,
                                        ValidationMode mode) {
        EnsembleNer.Builder b = EnsembleNer.builder().validation(mode).extractionQuorum(quorum)
                .sentenceSplitter(io.el4ner.api.spi.SentenceSplitter.wholeText());
        d.types().forEach(t -> b.entityType(t, ""));
        for (int m = 0; m < members; m++) {
            String name = "sim" + (m + 1);
            names.add(name);
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("name", name);
            params.put("gold", d.file().toString());
            params.put("scheme", d.scheme().name().toLowerCase(Locale.ROOT));
            params.put("missRate", p.miss());
            params.put("boundaryRate", p.boundary());
            params.put("typeRate", p.type());
            params.put("hallucinationRate", p.hallucination());
            params.put("verifierErrorRate", p.verifier());
            params.put("seed", 1000 + m);
            b.member("simulated", params);
        }
        return b.build();
    }
}
