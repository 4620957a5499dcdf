package io.el4ner.benchmarks;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.EntityType;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import io.el4ner.core.internal.llm.ResponseParser;
import io.el4ner.core.internal.text.SpanAnchor;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.Scheme;
import io.el4ner.onnx.OnnxDecoderMember;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Issue 13's measurement of what constraining buys: the same requests (prompts, sentences, stages, temperatures)
 * answered by the random-weight decoder fixtures with {@code constrained} on and off, and what el4ner's parser makes
 * of the answers: how many fail to parse, how many list items are malformed, how many spans are invented (not
 * anchored in the sentence, or not among the spans asked), how many types are unknown; and the tokens generated per
 * answer. Sentences are CoNLL-2003 eng.testa's when {@code ../shared/data} (or {@code -Del4ner.data}) has it, else a
 * built-in list with quotes, backslashes, emoji, CJK and combining marks.
 *
 * <pre>{@code
 * java -cp el4ner-benchmarks/target/benchmarks.jar io.el4ner.benchmarks.ConstrainedAnswersStudy [answers]
 * }</pre>
 */
public final class ConstrainedAnswersStudy {
    private static final List<String> TYPES = List.of("PER", "LOC", "ORG", "MISC");
    private static final List<String> BUILT_IN = List.of("Angela Merkel visited Paris on Tuesday.",
            "Der \"Kölner Dom\" steht in Köln \\ Deutschland 😀, 北京 ist weit.",
            "Zoë Saldaña (Cafe\u0301) met 東京タワー's owner in São Paulo.",
            "Shares of Tesla rose 3% after Elon Musk spoke in Berlin; 👩\u200d👩\u200d👧 cheered.");

    private ConstrainedAnswersStudy() {
    }

    /** What the parser made of one mode's answers. */
    private static final class Tally {
        int answers;
        int unparseable;
        int malformed;
        int invented;
        int unknownTypes;
        int values;
        int truncated;
        long tokens;
        long nanos;
    }

    /**
     * @param args the answers per fixture and mode (default 2000)
     */
    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        List<String> sentences = sentences();
        Path gqa = DecoderFixture.dir();
        Path mha = gqa.resolveSibling("tiny-mha");
        System.out.printf("%d answers per fixture and mode, %d sentences (%s)%n%n", count, sentences.size(),
                sentences == BUILT_IN ? "built-in" : "CoNLL-2003 eng.testa");
        System.out.println("| fixture | constrained | answers | unparseable | malformed items | invented spans "
                + "| unknown types | values read | closed at the limit | tokens per answer | answers/s |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Path dir : List.of(gqa, mha)) {
            for (boolean constrained : new boolean[] {false, true}) {
                Tally t = run(dir, constrained, sentences, count);
                System.out.printf("| %s | %s | %d | %d | %d | %d | %d | %d | %d | %.1f | %.0f |%n",
                        dir.getFileName(), constrained, t.answers, t.unparseable, t.malformed, t.invented,
                        t.unknownTypes, t.values, t.truncated, t.tokens / (double) t.answers,
                        t.answers / (t.nanos / 1e9));
            }
        }
    }

    private static Tally run(Path dir, boolean constrained, List<String> sentences, int count) {
        SplittableRandom random = new SplittableRandom(42); // the same requests in both modes
        Tally t = new Tally();
        try (OnnxDecoderMember member = OnnxDecoderMember.builder().directory(dir).maxBatchSize(16).seed(7)
                .constrained(constrained).build()) {
            long start = System.nanoTime();
            while (t.answers < count) {
                List<TaskContext> contexts = new ArrayList<>();
                List<ChatRequest> requests = new ArrayList<>();
                for (int i = 0; i < 16 && t.answers + i < count; i++) {
                    TaskContext c = context(random, sentences.get(random.nextInt(sentences.size())));
                    contexts.add(c);
                    double temperature = random.nextBoolean() ? 0 : 1.0;
                    requests.add(new ChatRequest(List.of(ChatMessage.system("Answer with JSON: "
                                    + AnswerContract.of(c).jsonSchema()), ChatMessage.user("Sentence: " + c.sentence())),
                            new GenerationOptions(temperature, 128, true), c));
                }
                List<ChatResponse> answers = member.chatAll(requests);
                for (int i = 0; i < answers.size(); i++) {
                    read(contexts.get(i), answers.get(i), t);
                }
            }
            t.nanos = System.nanoTime() - start;
        }
        return t;
    }

    private static void read(TaskContext c, ChatResponse r, Tally t) {
        t.answers++;
        t.tokens += r.usage().completionTokens();
        t.truncated += r.truncated() ? 1 : 0;
        String text = r.text();
        Set<String> types = Set.copyOf(TYPES);
        switch (c.stage()) {
            case PRE_EXTRACTION, EXTRACTION -> {
                ResponseParser.Parsed<List<String>> p = ResponseParser.spans(text);
                tallyParse(p, t);
                for (String s : p.value()) {
                    t.values++;
                    t.invented += SpanAnchor.find(c.sentence(), s).isEmpty() ? 1 : 0;
                }
            }
            case CLASSIFICATION -> {
                ResponseParser.Parsed<List<TypedSpan>> p = ResponseParser.labels(text);
                tallyParse(p, t);
                for (TypedSpan s : p.value()) {
                    t.values++;
                    t.invented += c.spans().contains(s.text()) ? 0 : 1;
                    t.unknownTypes += types.contains(s.type()) || s.type().equals("NONE") ? 0 : 1;
                }
            }
            case VALIDATION -> {
                ResponseParser.Parsed<List<ResponseParser.Judgement>> p = ResponseParser.verdicts(text,
                        c.typedSpans());
                tallyParse(p, t);
                for (ResponseParser.Judgement j : p.value()) {
                    t.values++;
                    boolean asked = c.typedSpans().stream().anyMatch(s -> s.text().equals(j.span()));
                    t.invented += asked ? 0 : 1;
                    t.unknownTypes += types.contains(j.type()) ? 0 : 1;
                }
            }
            default -> throw new AssertionError(c.stage());
        }
    }

    private static void tallyParse(ResponseParser.Parsed<?> p, Tally t) {
        t.unparseable += p.parsed() ? 0 : 1;
        t.malformed += p.problems().size();
    }

    /** A random stage's context over the sentence: the spans asked are its words and word pairs. */
    private static TaskContext context(SplittableRandom random, String sentence) {
        Stage stage = Stage.values()[random.nextInt(Stage.values().length)];
        String[] words = sentence.split(" ");
        List<String> spans = new ArrayList<>();
        List<TypedSpan> typed = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            int a = random.nextInt(words.length);
            String span = random.nextBoolean() || a + 1 == words.length ? words[a] : words[a] + " " + words[a + 1];
            if (stage == Stage.CLASSIFICATION) {
                spans.add(span);
            } else if (stage == Stage.VALIDATION) {
                typed.add(new TypedSpan(span, TYPES.get(random.nextInt(TYPES.size()))));
            }
        }
        List<EntityType> types = TYPES.stream().map(EntityType::of).toList();
        return new TaskContext(stage, sentence, types, List.of(), spans.stream().distinct().toList(), typed);
    }

    private static List<String> sentences() {
        Path testa = SpanSimilarityData.dataDir().resolve("conll2003/eng.testa");
        if (!Files.isRegularFile(testa)) {
            return BUILT_IN;
        }
        try {
            List<String> out = new ArrayList<>();
            for (ConllSentence s : ConllReader.builder().scheme(Scheme.IOB1).build().read(testa)) {
                if (s.size() >= 5) {
                    out.add(s.text());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
