package io.el4ner.openai.internal;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the extraction grammars of synthetic sentences of 124, 500 and 2,000 words (13 news words repeated, so
 * that every word has many occurrences a span could start at) with one answer each, as JSON Lines
 * ({@code {"words", "bytes", "grammar", "text"}}), for timing llama.cpp's grammar matcher on them by hand
 * ({@code src/test/llama-cpp/time-grammars.mjs}; see the README there). Not a test:
 * {@code java -cp <test class path> io.el4ner.openai.internal.GbnfLongSentences long.jsonl}.
 */
final class GbnfLongSentences {
    private static final String[] WORDS = {"the", "Reuters", "said", ",", "on", "Monday", "that", "U.S.", "officials",
        "met", "in", "Paris", "."};

    private GbnfLongSentences() {
    }

    /**
     * @param args the output file
     * @throws IOException if it cannot be written
     */
    public static void main(String[] args) throws IOException {
        try (Writer w = Files.newBufferedWriter(Path.of(args[0]), StandardCharsets.UTF_8)) {
            for (int n : new int[] {124, 500, 2_000}) {
                String sentence = words(n);
                String grammar = AnswerGrammar.of(AnswerContract.of(new TaskContext(Stage.EXTRACTION, sentence,
                        List.of(EntityType.of("PER")), List.of(), List.of(), List.of())));
                String answer = "{\"entities\": [\"Paris\", \"officials met in Paris\", \"" + words(n / 2) + "\"]}";
                w.write(Json.MAPPER.writeValueAsString(Json.MAPPER.createObjectNode().put("words", n)
                        .put("bytes", grammar.getBytes(StandardCharsets.UTF_8).length).put("grammar", grammar)
                        .put("text", answer)));
                w.write('\n');
            }
        }
    }

    private static String words(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : " ").append(WORDS[i % WORDS.length]);
        }
        return b.toString();
    }
}
