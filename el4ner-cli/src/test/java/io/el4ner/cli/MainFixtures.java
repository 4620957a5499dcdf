package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link Main} in-process and writes configurations of scripted members: what the CLI's tests share. The tests
 * of a command line's success and usage are in {@link MainTest}, those of its errors in {@link MainErrorsTest}.
 */
abstract class MainFixtures {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String SECRET = "sk-secret-123";
    static final String TEXT = "Alice flew to Paris.";

    @TempDir
    Path dir;

    /** What one in-process run printed. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }
    }

    static Run runWithStdin(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int exit = Main.run(args, in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(String... args) {
        return runWithStdin("", args);
    }

    // --- configuration helpers -----------------------------------------------------------------------------------

    static Map<String, Object> member(String name, String extraction, String classification, String validation) {
        Map<String, Object> answers = new LinkedHashMap<>();
        answers.put("extraction", extraction);
        answers.put("classification", classification);
        answers.put("validation", validation);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("answers", answers);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", "scripted");
        m.put("name", name);
        m.put("parameters", parameters);
        return m;
    }

    static Map<String, Object> aliceMember(String name) {
        return member(name, "[\"Alice\", \"Paris\"]", "{\"Alice\": \"person\", \"Paris\": \"location\"}",
                "{\"Alice\": true, \"Paris\": true}");
    }

    static Map<String, Object> failingMember(String name, String message) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("fail", true);
        parameters.put("failMessage", message);
        parameters.put("apiKey", SECRET);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", "scripted");
        m.put("name", name);
        m.put("parameters", parameters);
        return m;
    }

    static Map<String, Object> config(Object... members) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("entityTypes", List.of(Map.of("name", "person", "description", "Names of people"),
                Map.of("name", "location", "description", "Cities, countries, places")));
        c.put("members", List.of(members));
        return c;
    }

    Path write(String name, Object config) throws IOException {
        String text = config instanceof String s ? s : JSON.writeValueAsString(config);
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    Path aliceConfig() throws IOException {
        return write("config.json", config(aliceMember("m1")));
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static void assertAliceResult(Run r, String input) {
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).endsWith("\n");
        assertThat(r.out().strip()).doesNotContain("\n");
        JsonNode json = r.json();
        assertThat(fieldNames(json)).containsExactly("entities", "diagnostics", "usage", "degraded");
        JsonNode entities = json.get("entities");
        assertThat(entities).hasSize(2);
        for (JsonNode e : entities) {
            assertThat(fieldNames(e)).containsExactly("start", "end", "type", "text", "confidence");
            assertThat(input.substring(e.get("start").intValue(), e.get("end").intValue()))
                    .isEqualTo(e.get("text").asText());
        }
        assertThat(entities.get(0).toString())
                .isEqualTo("{\"start\":0,\"end\":5,\"type\":\"person\",\"text\":\"Alice\",\"confidence\":1.0}");
        assertThat(entities.get(1).toString())
                .isEqualTo("{\"start\":14,\"end\":19,\"type\":\"location\",\"text\":\"Paris\",\"confidence\":1.0}");
        assertThat(json.get("diagnostics")).isEmpty();
        assertThat(json.get("degraded").booleanValue()).isFalse();

        JsonNode usage = json.get("usage");
        assertThat(fieldNames(usage)).containsExactly("calls", "promptTokens", "completionTokens", "wallMillis",
                "stages");
        assertThat(usage.get("calls").intValue()).isEqualTo(3);
        assertThat(usage.get("promptTokens").longValue()).isEqualTo(30);
        assertThat(usage.get("completionTokens").longValue()).isEqualTo(15);
        assertThat(usage.get("wallMillis").isIntegralNumber()).isTrue();
        JsonNode stages = usage.get("stages");
        assertThat(stages).hasSize(3);
        assertThat(fieldNames(stages.get(0))).containsExactly("stage", "member", "calls", "failures",
                "promptTokens", "completionTokens", "unreportedUsage", "latencyMillis");
        List<String> stageNames = new ArrayList<>();
        stages.forEach(s -> stageNames.add(s.get("stage").asText()));
        assertThat(stageNames).containsExactly("extraction", "classification", "validation");
        for (JsonNode s : stages) {
            assertThat(s.get("member").asText()).isEqualTo("m1");
            assertThat(s.get("calls").intValue()).isEqualTo(1);
            assertThat(s.get("failures").intValue()).isZero();
            assertThat(s.get("promptTokens").longValue()).isEqualTo(10);
            assertThat(s.get("completionTokens").longValue()).isEqualTo(5);
            assertThat(s.get("unreportedUsage").intValue()).isZero();
        }
    }
}
