package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code evaluate} explains failed and degraded sentences (issue 11): each member's error, recorded and printed. */
class EvaluateFailuresTest extends EvaluateFixtures {
    // --- failures are explained (issue 11) -----------------------------------------------------------------------

    /**
     * A configuration of {@code simulated} members, each answering from its own gold file: a member fails on every
     * sentence its file lacks.
     */
    private Path simulatedMembers(String a, Path goldA, String b, Path goldB) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        var types = c.putArray("entityTypes");
        for (String t : List.of("person", "location", "corporation")) {
            types.addObject().put("name", t).put("description", t);
        }
        var members = c.putArray("members");
        for (Map.Entry<String, Path> m : List.of(Map.entry(a, goldA), Map.entry(b, goldB))) {
            members.addObject().put("provider", "simulated").put("name", m.getKey()).putObject("parameters")
                    .put("gold", m.getValue().toString()).put("seed", 3);
        }
        Path p = dir.resolve("members.json");
        Files.writeString(p, JSON.writeValueAsString(c));
        return p;
    }

    /**
     * Issue 11's case: members whose gold lacks most sentences. Each failed sentence records each member's error
     * and the usage of its failed calls; stderr names the errors (not the API's "see failures()"), the first
     * {@value EvaluateCommand#FAILURES_SHOWN} failed sentences one by one; the usage table counts the failures; the
     * summary on stderr and in the reports gives the most frequent causes, with the sentence taken out.
     */
    @Test
    void evaluate_failedSentencesRecordAndPrintEachMembersError() throws IOException {
        // 7 sentences, of which the members know only the first: 6 fail
        String more = "Eve\tB-person\nsmiled\tO\n\nFrank\tB-person\nleft\tO\n\nGrace\tB-person\nstayed\tO\n";
        Path data = dir.resolve("data.conll");
        Files.writeString(data, GOLD + "\n" + more, StandardCharsets.UTF_8);
        Path first = dir.resolve("first.conll");
        Files.writeString(first, GOLD.substring(0, GOLD.indexOf("\n\n") + 1), StandardCharsets.UTF_8);
        Path cfg = simulatedMembers("a", first, "b", first);
        Path out = dir.resolve("failing");
        MainFixtures.Run r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", data.toString(), "-o", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        String id2 = dir.getFileName() + "/data.conll#2";
        assertThat(r.err()).doesNotContain("failures()")
                .contains("sentence " + id2 + " failed: no member answered; their errors:\n"
                        + "  member 'a' (extraction): member 'a' has no gold data for the sentence: Bob Smith works at "
                        + "Acme Corp\n"
                        + "  member 'b' (extraction): member 'b' has no gold data for the sentence: Bob Smith works at "
                        + "Acme Corp\n")
                .contains("sentence " + dir.getFileName() + "/data.conll#6 failed")
                .doesNotContain("data.conll#7 failed")
                .contains("(more sentences failed: each one's member errors are under \"memberErrors\" in "
                        + out.resolve("predictions.jsonl"))
                .contains("6 of 7 sentences failed and 0 more were degraded; the most frequent causes of their 12 "
                        + "errors (2 distinct):\n"
                        + "  6\u00d7 member 'a' (extraction): member 'a' has no gold data for the sentence: \u2026\n"
                        + "  6\u00d7 member 'b' (extraction): member 'b' has no gold data for the sentence: \u2026\n");

        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        JsonNode failed = JSON.readTree(lines.get(1));
        // the existing fields, as before
        assertThat(failed.path("failure").asText()).startsWith("no member answered the EXTRACTION stage");
        assertThat(failed.path("degraded").asBoolean()).isTrue();
        assertThat(failed.path("entities")).isEmpty();
        // and each member's error, and the usage of the failed calls
        assertThat(failed.path("memberErrors")).hasSize(2);
        assertThat(failed.path("memberErrors").get(0).path("stage").asText()).isEqualTo("extraction");
        assertThat(failed.path("memberErrors").get(0).path("member").asText()).isEqualTo("a");
        assertThat(failed.path("memberErrors").get(0).path("kind").asText()).isEqualTo("member_failure");
        assertThat(failed.path("memberErrors").get(0).path("message").asText())
                .isEqualTo("member 'a' has no gold data for the sentence: Bob Smith works at Acme Corp");
        assertThat(failed.path("usage")).hasSize(2);
        assertThat(failed.path("usage").get(0).path("calls").asInt()).isEqualTo(1);
        assertThat(failed.path("usage").get(0).path("failures").asInt()).isEqualTo(1);
        JsonNode ok = JSON.readTree(lines.get(0));
        assertThat(ok.has("memberErrors")).isFalse();

        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertThat(report.path("failedSentences").asInt()).isEqualTo(6);
        JsonNode extractionA = null;
        for (JsonNode e : report.path("usage").path("entries")) {
            if (e.path("stage").asText().equals("extraction") && e.path("member").asText().equals("a")) {
                extractionA = e;
            }
        }
        assertThat(extractionA).isNotNull();
        assertThat(extractionA.path("calls").asInt()).isEqualTo(7);
        assertThat(extractionA.path("failures").asInt()).isEqualTo(6);
        assertThat(report.path("usage").path("stages").path("extraction").path("failures").asInt()).isEqualTo(12);
        JsonNode causes = report.path("failureCauses");
        assertThat(causes.path("errors").asInt()).isEqualTo(12);
        assertThat(causes.path("distinct").asInt()).isEqualTo(2);
        assertThat(causes.path("top")).hasSize(2);
        assertThat(causes.path("top").get(0).path("count").asInt()).isEqualTo(6);
        assertThat(causes.path("top").get(0).path("member").asText()).isEqualTo("a");
        assertThat(causes.path("top").get(0).path("cause").asText())
                .isEqualTo("member 'a' has no gold data for the sentence: \u2026");
        assertThat(Files.readString(out.resolve("report.md"))).contains("## Most frequent errors")
                .contains("| 6 | extraction | a | member 'a' has no gold data for the sentence: \u2026 |")
                .contains("| extraction | a | 7 | 6 |");
    }

    /** A sentence one member fails on is degraded, not failed: its line records that member's error too. */
    @Test
    void evaluate_degradedSentencesRecordTheFailedMembersError() throws IOException {
        Path first = dir.resolve("first.conll");
        Files.writeString(first, GOLD.substring(0, GOLD.indexOf("\n\n") + 1), StandardCharsets.UTF_8);
        Path cfg = simulatedMembers("all", gold, "one", first);
        Path out = dir.resolve("degraded");
        MainFixtures.Run r = evaluate(cfg, out);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain(" failed: ")
                .contains("0 of 4 sentences failed and 3 more were degraded; the most frequent causes of their 5 "
                        + "errors (2 distinct):\n"
                        + "  3\u00d7 member 'one' (extraction): member 'one' has no gold data for the sentence: "
                        + "\u2026\n"
                        + "  2\u00d7 member 'one' (classification): member 'one' has no gold data for the sentence: "
                        + "\u2026\n");
        JsonNode degraded = JSON.readTree(Files.readAllLines(out.resolve("predictions.jsonl")).get(3));
        assertThat(degraded.path("degraded").asBoolean()).isTrue();
        assertThat(degraded.has("failure")).isFalse();
        // it failed in extraction, and again when asked to label the other member's spans
        assertThat(degraded.path("memberErrors")).hasSize(2);
        assertThat(degraded.path("memberErrors").get(0).path("message").asText())
                .isEqualTo("member 'one' has no gold data for the sentence: Carol met Dave in New York");
        assertThat(degraded.path("memberErrors").get(1).path("stage").asText()).isEqualTo("classification");
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertThat(report.path("usage").path("stages").path("extraction").path("failures").asInt()).isEqualTo(3);
    }
}
