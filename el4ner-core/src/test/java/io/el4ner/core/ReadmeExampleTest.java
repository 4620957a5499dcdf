package io.el4ner.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Entity;
import io.el4ner.api.NerResult;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The README's first example, compiled and run with two fake "clients" that answer like a model would. The text
 * between each pair of {@code README: begin/end readme-example} markers is the README's block, in two parts; the
 * el4ner-cli DocExamplesTest checks that they are the same.
 */
class ReadmeExampleTest {

    // README: begin readme-example
    // A member is one LLM: a chat request in, text and token usage out. Wrap the client you already have.
    final class MyLlm implements ModelMember {
        private final String name;
        private final Function<String, String> client; // e.g. your HTTP client for a vLLM or Ollama server

        MyLlm(String name, Function<String, String> client) {
            this.name = name;
            this.client = client;
        }

        @Override public String name() { return name; }

        @Override public ChatResponse chat(ChatRequest request) {
            return ChatResponse.of(client.apply(request.promptText()), TokenUsage.UNREPORTED);
        }
    }
    // README: end readme-example

    /** Stands in for a model server: answers by reading the prompt's last lines, as a model would. */
    static final class FakeClient {
        String complete(String prompt) {
            String task = prompt.substring(prompt.lastIndexOf("Sentence:"));
            if (task.contains("\nSpans:")) {
                return "{\"labels\": [{\"span\": \"Angela Merkel\", \"type\": \"person\"},"
                        + " {\"span\": \"Emmanuel Macron\", \"type\": \"person\"}, {\"span\": \"Paris\", \"type\": \"location\"}]}";
            }
            if (task.contains("\nEntities:")) {
                return "{\"verdicts\": [{\"span\": \"Angela Merkel\", \"valid\": true},"
                        + " {\"span\": \"Emmanuel Macron\", \"valid\": true}, {\"span\": \"Paris\", \"valid\": true}]}";
            }
            return "```json\n{\"entities\": [\"Angela Merkel\", \"Emmanuel Macron\", \"Paris\"]}\n```";
        }
    }

    @Test
    void recognize_readmeExample_printsTheReadmeOutput() {
        FakeClient qwenClient = new FakeClient();
        FakeClient phiClient = new FakeClient();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            // README: begin readme-example
            try (EnsembleNer ner = EnsembleNer.builder()
                    .entityType("person", "Names of people")
                    .entityType("location", "Names of places")
                    .member(new MyLlm("qwen", qwenClient::complete))
                    .member(new MyLlm("phi", phiClient::complete))
                    .verifier("qwen")                       // self-validation by one member (the default mode)
                    .build()) {
                NerResult result = ner.recognize("Angela Merkel met Emmanuel Macron in Paris.");
                for (Entity e : result.entities()) {
                    System.out.printf("%d-%d %s %s %.2f%n", e.start(), e.end(), e.type(), e.text(), e.confidence());
                }
                System.out.println(result.usage().totalCalls() + " calls, degraded: " + result.degraded());
            }
            // README: end readme-example
        } finally {
            System.setOut(stdout);
        }
        assertThat(buffer.toString(StandardCharsets.UTF_8)).isEqualTo(String.format(
                "0-13 person Angela Merkel 1.00%n18-33 person Emmanuel Macron 1.00%n37-42 location Paris 1.00%n"
                        + "5 calls, degraded: false%n"));
    }
}
