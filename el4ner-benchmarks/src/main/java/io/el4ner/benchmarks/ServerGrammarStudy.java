package io.el4ner.benchmarks;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.Scheme;
import io.el4ner.openai.internal.AnswerGrammar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The grammar the HTTP member sends vLLM and llama.cpp ({@link AnswerGrammar}) on real CoNLL-2003 test sentences of
 * about 10, 40 and 120 tokens, for each stage's answer contract (extraction; classification without candidate spans,
 * whose spans are free; classification of the gold spans and validation of the gold entities, whose spans are a
 * list): its size in UTF-8 bytes and rules, the median time to write it over many runs, and the JSON Schema's size
 * beside it. Then the grammar of every test sentence's extraction contract, to see how far the largest is from the
 * member's fallback bound. Needs {@code ../shared/data} (or {@code -Del4ner.data=DIR}). Run with:
 * {@code java -cp el4ner-benchmarks/target/benchmarks.jar io.el4ner.benchmarks.ServerGrammarStudy}
 */
public final class ServerGrammarStudy {
    private static final List<EntityType> TYPES = List.of(EntityType.of("PER"), EntityType.of("ORG"),
            EntityType.of("LOC"), EntityType.of("MISC"));
    private static final int[] TARGETS = {10, 40, 120};
    /** Every contract is written this often, round-robin, before any is timed (so the JIT has compiled it all). */
    private static final int WARM_UP = 20_000;
    private static final int RUNS = 5_000;

    private ServerGrammarStudy() {
    }

    /**
     * @param args ignored
     * @throws IOException if the data cannot be read
     */
    public static void main(String[] args) throws IOException {
        Path file = SpanSimilarityData.dataDir().resolve("conll2003/eng.testb");
        List<ConllSentence> test = ConllReader.builder().scheme(Scheme.IOB1).build().read(file);
        System.out.printf("CoNLL-2003 test, %d sentences; %d processors, Java %s; median of %d runs after %d "
                        + "round-robin warm-up runs of each%n",
                test.size(), Runtime.getRuntime().availableProcessors(), Runtime.version(), RUNS, WARM_UP);
        List<ConllSentence> picked = new ArrayList<>();
        List<List<Row>> table = new ArrayList<>();
        for (int target : TARGETS) {
            ConllSentence s = test.stream().filter(x -> !x.documentStart())
                    .min(Comparator.comparingInt((ConllSentence x) -> Math.abs(x.size() - target))
                            .thenComparing(x -> -entities(x).size())).orElseThrow();
            List<TypedSpan> gold = entities(s);
            List<String> spans = gold.stream().map(TypedSpan::text).distinct().toList();
            String text = s.text();
            List<Row> rows = List.of(
                    new Row("extraction", context(Stage.EXTRACTION, text, List.of(), List.of())),
                    new Row("classification, free spans", context(Stage.CLASSIFICATION, text, List.of(), List.of())),
                    new Row("classification, " + spans.size() + " gold spans",
                            context(Stage.CLASSIFICATION, text, spans, List.of())),
                    new Row("validation, " + gold.size() + " gold entities",
                            context(Stage.VALIDATION, text, List.of(), gold)));
            picked.add(s);
            table.add(rows);
        }
        long sink = 0;
        for (int i = 0; i < WARM_UP; i++) {
            for (List<Row> rows : table) {
                for (Row row : rows) {
                    sink += AnswerGrammar.of(AnswerContract.of(row.context)).length();
                }
            }
        }
        System.out.println("| sentence tokens | chars | contract | grammar bytes | rules | write µs (median) "
                + "| JSON Schema bytes |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int i = 0; i < picked.size(); i++) {
            ConllSentence s = picked.get(i);
            for (Row row : table.get(i)) {
                AnswerContract c = AnswerContract.of(row.context);
                String g = AnswerGrammar.of(c);
                System.out.printf("| %d | %d | %s%s | %,d | %d | %.1f | %,d |%n", s.size(), s.text().length(),
                        row.name, AnswerGrammar.hasSubstringRule(c) ? "" : " (schema sent)", bytes(g), rules(g),
                        medianMicros(row.context), bytes(c.jsonSchema()));
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        int[] sizes = test.stream().mapToInt(s -> bytes(AnswerGrammar.of(AnswerContract.of(
                context(Stage.EXTRACTION, s.text(), List.of(), List.of()))))).sorted().toArray();
        ConllSentence longest = test.stream().max(Comparator.comparingInt(ConllSentence::size)).orElseThrow();
        System.out.printf("extraction grammar over all %d test sentences: median %,d bytes, 99th percentile %,d, "
                + "largest %,d (the longest sentence has %d tokens, %d chars)%n", sizes.length,
                sizes[sizes.length / 2], sizes[(int) (sizes.length * 0.99)], sizes[sizes.length - 1], longest.size(),
                longest.text().length());
    }

    private record Row(String name, TaskContext context) {
    }

    private static TaskContext context(Stage stage, String text, List<String> spans, List<TypedSpan> typed) {
        return new TaskContext(stage, text, TYPES, List.of(), spans, typed);
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static int rules(String grammar) {
        return (int) grammar.lines().filter(l -> l.contains(" ::= ")).count();
    }

    /** The median time to build the contract and write its grammar, in microseconds. */
    private static double medianMicros(TaskContext context) {
        long sink = 0;
        long[] times = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            sink += AnswerGrammar.of(AnswerContract.of(context)).length();
            times[i] = System.nanoTime() - t0;
        }
        if (sink == 42) {
            System.out.print("");
        }
        Arrays.sort(times);
        return times[RUNS / 2] / 1_000.0;
    }

    /** The gold entities of an IOB1 sentence: runs of I-X (a B-X starts a new one). */
    private static List<TypedSpan> entities(ConllSentence s) {
        List<TypedSpan> out = new ArrayList<>();
        List<String> tokens = s.tokens();
        List<String> tags = s.tags();
        int start = -1;
        String type = null;
        for (int i = 0; i <= tokens.size(); i++) {
            String tag = i < tags.size() ? tags.get(i) : "O";
            String t = tag.length() > 2 ? tag.substring(2) : null;
            boolean continues = t != null && t.equals(type) && tag.startsWith("I-");
            if (start >= 0 && !continues) {
                out.add(new TypedSpan(String.join(" ", tokens.subList(start, i)), type));
                start = -1;
                type = null;
            }
            if (t != null && start < 0) {
                start = i;
                type = t;
            }
        }
        return out;
    }
}
