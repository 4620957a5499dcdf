package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.AnswerContract;
import io.el4ner.api.EntityType;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes grammar membership cases as JSON Lines ({@code {"grammar", "text", "expected"}}, expected as
 * {@link Gbnf} decides) for checking against a real grammar engine outside the build: {@code src/test/llama-cpp/}
 * runs them through llama.cpp's own grammar matcher (see its README). Not a test; run by hand:
 * {@code java -cp <test class path> io.el4ner.openai.internal.GbnfCases cases.jsonl}.
 */
final class GbnfCases {
    private GbnfCases() {
    }

    /**
     * @param args the output file
     * @throws IOException if it cannot be written
     */
    public static void main(String[] args) throws IOException {
        Random r = new Random(20261202);
        List<EntityType> odd = List.of(EntityType.of("PER"), EntityType.of("say \"hi\""), EntityType.of("back\\slash"),
                EntityType.of("tab\there"), EntityType.of("ünï 😀"));
        int written = 0;
        try (Writer w = Files.newBufferedWriter(Path.of(args[0]), StandardCharsets.UTF_8)) {
            for (int round = 0; round < 400; round++) {
                String sentence = AnswerGrammarTest.randomSentence(r);
                boolean classify = round % 4 == 3;
                AnswerContract c = classify ? AnswerGrammarTest.classification(sentence, odd)
                        : AnswerGrammarTest.extraction(sentence);
                String grammar = AnswerGrammar.of(c);
                Gbnf g = Gbnf.parse(grammar);
                List<String> spans = new ArrayList<>(AnswerGrammarTest.alignedSpans(sentence));
                spans.sort(null);
                List<String> texts = new ArrayList<>();
                int[] cps = sentence.codePoints().toArray();
                for (int k = 0; k < 8; k++) {
                    String span;
                    if (k % 2 == 0 && !spans.isEmpty()) {
                        span = spans.get(r.nextInt(spans.size()));
                    } else if (cps.length > 0) {
                        int a = r.nextInt(cps.length);
                        span = new String(cps, a, 1 + r.nextInt(cps.length - a));
                    } else {
                        span = "x";
                    }
                    String json = AnswerGrammar.jsonString(span);
                    String type = AnswerGrammar.jsonString(k == 5 ? "ORG" : odd.get(r.nextInt(odd.size())).name());
                    String answer = classify ? "{\"labels\": [{\"span\": " + json + ", \"type\": " + type + "}]}"
                            : "{\"entities\": [" + json + "]}";
                    texts.add(answer);
                    texts.add(answer.substring(0, answer.length() - 1));
                }
                texts.add(classify ? "{\"labels\":[]}" : "{\n  \"entities\": [ ]\n}");
                for (String t : texts) {
                    ObjectNode line = Json.MAPPER.createObjectNode().put("grammar", grammar).put("text", t)
                            .put("expected", g.accepts(t));
                    w.write(Json.MAPPER.writeValueAsString(line));
                    w.write('\n');
                    written++;
                }
            }
        }
        System.out.println(written + " cases written to " + args[0]);
    }
}
