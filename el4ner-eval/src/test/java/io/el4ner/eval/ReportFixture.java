package io.el4ner.eval;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.LabeledSpan;
import io.el4ner.eval.testing.GoldRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small evaluation run written by hand: 8 sentences in two datasets and two languages, two members (one named
 * with markup, as an untrusted name would be), the ablation rows, usage in every stage written out of pipeline
 * order, and one failed sentence whose cause holds markup. With or without token counts.
 */
final class ReportFixture {
    static final String HOSTILE = "<script>alert('m')</script>";
    static final String HOSTILE_CAUSE = "HTTP 500: <script>alert(\"cause\")</script> & more";
    static final String TITLE = "run <b>\"1\"</b> \u0001";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String GOLD = GoldRun.ALL;

    private ReportFixture() {
    }

    /**
     * @param dir a folder to write into
     * @param withTokens whether members report token counts
     * @return the report
     */
    static EvaluationReport report(Path dir, boolean withTokens) throws IOException {
        List<ConllSentence> sentences = ConllReader.builder().build()
                .stream(new BufferedReader(new StringReader(GOLD)), "fixture").toList();
        List<EvaluationItem> items = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < sentences.size(); i++) {
            ConllSentence s = sentences.get(i);
            boolean en = i < 4;
            String id = (en ? "news-en" : "news-es") + "#" + (i + 1);
            items.add(new EvaluationItem(id, en ? "news-en" : "news-es", en ? "en" : "es", s));
            List<LabeledSpan> gold = new ArrayList<>();
            for (TokenSpan t : s.spans()) {
                gold.add(s.toCharSpan(t));
            }
            ObjectNode o = JSON.createObjectNode().put("id", id).put("text", s.text());
            boolean failed = i == 7;
            // alpha misses locations; the hostile member calls everything a person; the vote finds all but adds a
            // false "Nothing"; validation removes that and one right entity of sentence 5 (an over-refusal)
            List<LabeledSpan> alpha = gold.stream().filter(x -> !x.type().equals("location")).toList();
            List<LabeledSpan> other = gold.stream().map(x -> new LabeledSpan(x.start(), x.end(), "person")).toList();
            List<LabeledSpan> vote = new ArrayList<>(gold);
            if (i == 2) {
                vote.add(new LabeledSpan(0, 7, "location"));
            }
            List<LabeledSpan> fin = new ArrayList<>(gold);
            if (i == 5) {
                fin.remove(0);
            }
            if (failed) {
                alpha = List.of();
                other = List.of();
                vote = List.of();
                fin = List.of();
            }
            ArrayNode entities = o.putArray("entities");
            fin.forEach(x -> entities.addObject().put("start", x.start()).put("end", x.end()).put("type", x.type())
                    .put("text", s.text().substring(x.start(), x.end())));
            if (failed) {
                o.put("failure", "no member answered the EXTRACTION stage; see failures()");
                o.put("degraded", true);
                ArrayNode errors = o.putArray("memberErrors");
                for (String m : List.of("alpha", HOSTILE)) {
                    errors.addObject().put("stage", "extraction").put("member", m).put("kind", "member_failure")
                            .put("message", HOSTILE_CAUSE);
                }
            } else {
                o.put("wallMillis", 40 + i);
            }
            ArrayNode usage = o.putArray("usage");
            // out of pipeline order on purpose, and the hostile member first
            String[] stages = failed ? new String[] {"extraction", "pre_extraction"}
                    : new String[] {"validation", "classification", "extraction", "pre_extraction"};
            for (String stage : stages) {
                for (String m : List.of(HOSTILE, "alpha")) {
                    boolean fails = failed && stage.equals("extraction");
                    usage.addObject().put("stage", stage).put("member", m).put("calls", 1)
                            .put("failures", fails ? 1 : 0)
                            .put("promptTokens", withTokens && !fails ? 300 + 10 * stage.length() : 0)
                            .put("completionTokens", withTokens && !fails ? 20 + stage.length() : 0)
                            .put("latencyMillis", 100L * (1 + stage.length() % 4) + (m.equals("alpha") ? 30 : 0));
                }
            }
            ObjectNode ablations = o.putObject("ablations");
            rows(ablations, "member:alpha", alpha);
            rows(ablations, "member:" + HOSTILE, other);
            List<LabeledSpan> union = new ArrayList<>(alpha);
            other.stream().filter(x -> !union.contains(x)).forEach(union::add);
            rows(ablations, Ablations.UNION, union);
            rows(ablations, Ablations.VOTE, vote);
            rows(ablations, Ablations.VALIDATION, fin);
            lines.append(JSON.writeValueAsString(o)).append('\n');
        }
        Path predictions = dir.resolve("predictions.jsonl");
        Files.writeString(predictions, lines, StandardCharsets.UTF_8);
        return EvaluationReport.of(items, predictions, TITLE, 7).resumed(3);
    }

    /**
     * @param dir a folder to write into
     * @return the report of a run of the fixture's sentences in which every sentence failed before any member call
     */
    static EvaluationReport allFailed(Path dir) throws IOException {
        List<ConllSentence> sentences = ConllReader.builder().build()
                .stream(new BufferedReader(new StringReader(GOLD)), "fixture").toList();
        List<EvaluationItem> items = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < sentences.size(); i++) {
            String id = "s#" + (i + 1);
            items.add(new EvaluationItem(id, "only", "en", sentences.get(i)));
            ObjectNode o = JSON.createObjectNode().put("id", id).put("text", sentences.get(i).text());
            o.putArray("entities");
            o.put("failure", "the deadline passed").put("degraded", true);
            o.putObject("ablations");
            lines.append(JSON.writeValueAsString(o)).append('\n');
        }
        Path predictions = dir.resolve("predictions.jsonl");
        Files.writeString(predictions, lines, StandardCharsets.UTF_8);
        return EvaluationReport.of(items, predictions, "all failed", 7);
    }

    private static void rows(ObjectNode ablations, String name, List<LabeledSpan> spans) {
        ArrayNode a = ablations.putArray(name);
        spans.forEach(x -> a.addArray().add(x.start()).add(x.end()).add(x.type()));
    }
}
