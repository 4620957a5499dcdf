package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code evaluate} resumes only the same run (issue 11): a changed configuration, data file, folder or option is
 * refused with what changed, or restarted with {@code --restart}.
 */
class EvaluateResumeTest extends EvaluateFixtures {
    /**
     * Issue 11's case: missRate 0.3 → 0.9 in the configuration and the same --out. The run is refused (exit 2) with
     * what changed and how to start over, the old predictions are left as they are; --restart starts over; a
     * configuration that only differs in whitespace, key order or 1 vs 1.0 resumes.
     */
    @Test
    void evaluate_aChangedConfigurationIsNotResumedButRestarted() throws IOException {
        Path cfg = dir.resolve("sim.json");
        Files.writeString(cfg, simulatedConfig(0.3));
        Path out = dir.resolve("run");
        MainFixtures.Run first = evaluate(cfg, out);
        assertThat(first.exit()).as(first.err()).isZero();
        byte[] predictions = Files.readAllBytes(out.resolve("predictions.jsonl"));

        Files.writeString(cfg, simulatedConfig(0.9));
        MainFixtures.Run changed = evaluate(cfg, out);
        assertThat(changed.exit()).as(changed.err()).isEqualTo(2);
        assertThat(changed.out()).isEmpty();
        assertThat(changed.err()).contains(out + " holds a run made with other inputs")
                .contains("the configuration changed: $.members[0].parameters.missRate 0.3 → 0.9")
                .contains("Add --restart to delete that run's outputs in " + out + " and start over")
                .doesNotContain("resuming");
        assertThat(Files.readAllBytes(out.resolve("predictions.jsonl"))).isEqualTo(predictions);

        MainFixtures.Run restarted = evaluate(cfg, out, "--restart");
        assertThat(restarted.exit()).as(restarted.err()).isZero();
        assertThat(restarted.err()).contains("starting over in " + out + ": removed the previous run's run.json, "
                + "predictions.jsonl, sentence-ids.txt, predictions.conll, report.json, report.md, report.html");
        assertThat(restarted.json().path("recognized").asInt()).isEqualTo(4);
        assertThat(restarted.json().path("resumed").asInt()).isZero();
        assertThat(Files.readAllLines(out.resolve("predictions.jsonl"))).hasSize(4);

        // the same content written otherwise: reordered keys, other whitespace, 0.90 and seed 3.0
        JsonNode tree = JSON.readTree(simulatedConfig(0.9));
        String reordered = "{\n  \"members\" : [ {\"parameters\": {\"seed\": 3.0, \"missRate\": 0.90, \"gold\": \""
                + gold.getFileName() + "\"}, \"name\": \"sim\", \"provider\": \"simulated\"} ],\n  \"entityTypes\": "
                + tree.get("entityTypes") + "\n}\n";
        Files.writeString(cfg, reordered);
        MainFixtures.Run same = evaluate(cfg, out);
        assertThat(same.exit()).as(same.err()).isZero();
        assertThat(same.err()).contains("resuming the run in " + out);
        assertThat(same.json().path("recognized").asInt()).isZero();
        assertThat(same.json().path("resumed").asInt()).isEqualTo(4);
    }

    /** The files the configuration names, the data and the options are part of the run too. */
    @Test
    void evaluate_changedFilesDataOrOptionsAreNotResumed() throws IOException {
        Path cfg = dir.resolve("sim.json");
        Files.writeString(cfg, simulatedConfig(0.3));
        Path out = dir.resolve("run");
        assertThat(evaluate(cfg, out).exit()).isZero();
        JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
        assertThat(run.path("fingerprint").path("configFiles").path("$.members[0].parameters.gold")
                .path("sha256").asText()).hasSize(64);

        // the simulated member's gold file (also the data here): both are named
        String before = Files.readString(gold);
        Files.writeString(gold, before.replace("Paris\tB-location", "Paris\tB-person"));
        MainFixtures.Run r = evaluate(cfg, out);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("the content of gold.conll (named by $.members[0].parameters.gold) changed")
                .contains("the content of data file " + dir.getFileName() + "/gold.conll changed");
        Files.writeString(gold, before);

        assertThat(evaluate(cfg, out, "--seed", "2").err()).contains("  - --seed was 1, now 2\n");
        assertThat(evaluate(cfg, out, "--scheme", "iob1").err()).contains("--scheme was iob2, now iob1");
        assertThat(evaluate(cfg, out, "--language", "en").err()).contains("--language was [\"und\"], now [\"en\"]");
        assertThat(evaluate(cfg, out, "--column", "2").err()).contains("--column was the last, now 2");
        Path other = dir.resolve("other.conll");
        Files.writeString(other, GOLD);
        MainFixtures.Run more = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-d",
                other.toString(), "-o", out.toString());
        assertThat(more.exit()).isEqualTo(2);
        assertThat(more.err()).contains("the data files changed: [" + dir.getFileName() + "/gold.conll] → ["
                + dir.getFileName() + "/gold.conll, " + dir.getFileName() + "/other.conll]");

        // nothing changed: resumes; --parallel does not change predictions, so it is not part of the run
        MainFixtures.Run same = evaluate(cfg, out, "--parallel", "3");
        assertThat(same.exit()).as(same.err()).isZero();
        assertThat(same.json().path("resumed").asInt()).isEqualTo(4);
    }

    /**
     * A string naming a folder hashes the folder's files (an encoder's model directory), but never the run's own
     * output folder inside it: the run resumes although its predictions grew, and stops when another file changed.
     */
    @Test
    void evaluate_aNamedFolderIsHashedWithoutTheRunsOwnOutput() throws IOException {
        List<Path> files = threeRuns();
        Path cfg = config(files.toArray(Path[]::new));
        ObjectNode c = (ObjectNode) JSON.readTree(cfg.toFile());
        ((ObjectNode) c.get("entityTypes").get(0)).put("description", "."); // the configuration's folder: dir
        Files.writeString(cfg, JSON.writeValueAsString(c));
        Path out = dir.resolve("run");
        assertThat(MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString())
                .exit()).isZero();
        assertThat(JSON.readTree(out.resolve("run.json").toFile()).path("fingerprint").path("configFiles")
                .path("$.entityTypes[0].description").path("sha256").asText()).startsWith("dir:");
        MainFixtures.Run again = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                out.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.json().path("resumed").asInt()).isEqualTo(4);
        Files.writeString(dir.resolve("notes.txt"), "new");
        MainFixtures.Run changed = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                out.toString());
        assertThat(changed.exit()).isEqualTo(2);
        assertThat(changed.err()).contains("the content of . (named by $.entityTypes[0].description) changed");
    }

    /** A run.json from before fingerprints, or predictions without a run.json, is never resumed blindly. */
    @Test
    void evaluate_aRunWithoutFingerprintIsNotResumed() throws IOException {
        Path cfg = config(threeRuns().toArray(Path[]::new));
        Path out = dir.resolve("old");
        assertThat(MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString())
                .exit()).isZero();
        // the run.json an earlier el4ner wrote
        Files.writeString(out.resolve("run.json"), "{\"config\":\"" + cfg + "\",\"data\":[\"" + gold
                + "\"],\"scheme\":\"iob2\",\"column\":0,\"seed\":1}\n");
        MainFixtures.Run r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("does not record what its predictions depend on").contains("--restart");
        Files.delete(out.resolve("run.json"));
        r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("holds predictions.jsonl but no run.json").contains("--restart");
        r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString(), "--restart");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().path("recognized").asInt()).isEqualTo(4);
    }

    /** Secret values are never written to run.json, not even hashed; a new API key resumes the same run. */
    @Test
    void evaluate_runJsonHoldsNoSecretAndANewKeyResumes() throws IOException {
        Map<String, Object> member = new java.util.LinkedHashMap<>(MainFixtures.aliceMember("a"));
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = new java.util.LinkedHashMap<>((Map<String, Object>) member.get("parameters"));
        parameters.put("apiKey", "sk-first-secret-4711");
        member.put("parameters", parameters);
        Path cfg = dir.resolve("secret.json");
        Files.writeString(cfg, JSON.writeValueAsString(MainFixtures.config(member)));
        Path out = dir.resolve("run");
        MainFixtures.Run r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        String run = Files.readString(out.resolve("run.json"));
        assertThat(run).doesNotContain("sk-first-secret-4711").contains("\"apiKey\" : \"****\"");

        parameters.put("apiKey", "sk-second-secret-0815");
        Files.writeString(cfg, JSON.writeValueAsString(MainFixtures.config(member)));
        r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().path("resumed").asInt()).isEqualTo(4);
        assertThat(Files.readString(out.resolve("run.json"))).doesNotContain("sk-second-secret-0815");
    }

    @Test
    void evaluate_sampleIsSeededAndOtherSettingsAreNotResumed() throws IOException {
        Path cfg = config(threeRuns().toArray(Path[]::new));
        Path out = dir.resolve("sampled");
        MainFixtures.Run r = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out.toString(),
                "--sample", "2", "--seed", "7");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> ids = Files.readAllLines(out.resolve("sentence-ids.txt"));
        assertThat(ids).hasSize(2);
        Path out2 = dir.resolve("sampled2");
        MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o", out2.toString(), "--sample", "2",
                "--seed", "7");
        assertThat(Files.readAllLines(out2.resolve("sentence-ids.txt"))).isEqualTo(ids);
        MainFixtures.Run other = MainFixtures.run("evaluate", "-c", cfg.toString(), "-d", gold.toString(), "-o",
                out.toString(), "--sample", "3", "--seed", "7");
        assertThat(other.exit()).isEqualTo(2);
        assertThat(other.err()).contains("made with other inputs").contains("--sample was 2, now 3")
                .doesNotContain("--seed").contains("--restart");
    }

}
