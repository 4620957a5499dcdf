package io.el4ner.benchmarks;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.NerResult;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.internal.llm.ResponseParser;
import io.el4ner.core.internal.text.SpanAnchor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What el4ner itself costs per sentence, apart from the models: prompt rendering, concurrent dispatch to three
 * members that answer instantly, parsing, anchoring, voting and validation. Also the parser and the anchoring
 * alone. Run with:
 * {@code ./mvnw -q -pl el4ner-benchmarks -am -DskipTests package && java -jar el4ner-benchmarks/target/benchmarks.jar PipelineOverhead}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PipelineOverheadBenchmark {
    private static final String[] ENTITIES = {"Angela Merkel", "Emmanuel Macron", "Paris"};

    private EnsembleNer ner;
    private String sentence;
    private String messyAnswer;

    /** An instant member that answers every stage correctly. */
    static final class InstantMember implements ModelMember {
        private final String name;

        InstantMember(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ChatResponse chat(ChatRequest r) {
            String text = switch (r.context().stage()) {
                case PRE_EXTRACTION, EXTRACTION -> "{\"entities\": [\"Angela Merkel\", \"Emmanuel Macron\", \"Paris\"]}";
                case CLASSIFICATION -> r.context().spans().stream()
                        .map(s -> "{\"span\": \"" + s + "\", \"type\": \"" + (s.equals("Paris") ? "LOC" : "PER") + "\"}")
                        .collect(Collectors.joining(", ", "{\"labels\": [", "]}"));
                case VALIDATION -> r.context().typedSpans().stream()
                        .map(t -> "{\"span\": \"" + t.text() + "\", \"valid\": true}")
                        .collect(Collectors.joining(", ", "{\"verdicts\": [", "]}"));
            };
            return ChatResponse.of(text, TokenUsage.of(r.promptText().length() / 4, text.length() / 4));
        }
    }

    /** Builds the ensemble. */
    @Setup
    public void setUp() {
        ner = EnsembleNer.builder().entityType("PER", "people").entityType("LOC", "places")
                .member(new InstantMember("a")).member(new InstantMember("b")).member(new InstantMember("c"))
                .build();
        sentence = "Angela Merkel met Emmanuel Macron in Paris on Monday to discuss the budget.";
        messyAnswer = "Sure! Here are the entities I found:\n```json\n{'entities': ['Angela Merkel', "
                + "'Emmanuel Macron', 'Paris',]}\n```\nLet me know if you need anything else.";
    }

    /** Closes the ensemble. */
    @TearDown
    public void tearDown() {
        ner.close();
    }

    /** @return one sentence through the whole pipeline (7 member calls) */
    @Benchmark
    public NerResult recognizeSentence() {
        return ner.recognize(sentence);
    }

    /** @return a messy answer parsed */
    @Benchmark
    public Object parseMessyAnswer() {
        return ResponseParser.spans(messyAnswer);
    }

    /** @return three spans anchored */
    @Benchmark
    public int anchorThreeSpans() {
        int n = 0;
        for (String e : ENTITIES) {
            n += SpanAnchor.find(sentence, e).size();
        }
        return n;
    }
}
