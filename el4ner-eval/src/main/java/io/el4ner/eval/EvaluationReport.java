package io.el4ner.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.El4nerException;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.Stage;
import io.el4ner.eval.internal.JsonLinesFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The report of an evaluation run, computed from its predictions file and the gold sentences: entity-level F1
 * (exact span and type) overall, per type and with a seeded bootstrap 95% interval, for the final answer and for
 * every ablation row; calls, tokens and latency per stage and member; the validator's effect (kept right,
 * removed wrong, removed right = over-refusal, kept wrong); and breakdowns per dataset and per language. It is
 * written as JSON, Markdown and a self-contained HTML page with SVG charts.
 *
 * @since 0.1
 */
public final class EvaluationReport {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final ObjectNode root;

    private final List<EvaluationItem> items;
    private final JsonNode[] lines;

    private EvaluationReport(ObjectNode root, List<EvaluationItem> items, JsonNode[] lines) {
        this.root = root;
        this.items = items;
        this.lines = lines;
    }

    /**
     * Records how many of the sentences were not recognised by this run but found done in the predictions file
     * (a resumed run); the reports show it as {@code resumedSentences}.
     *
     * @param resumed how many sentences were resumed, 0 to {@code sentences}
     * @return this report
     */
    public EvaluationReport resumed(int resumed) {
        if (resumed < 0 || resumed > items.size()) {
            throw new IllegalArgumentException("resumed must be 0 to " + items.size() + ", got " + resumed);
        }
        root.put("resumedSentences", resumed);
        return this;
    }

    /** @return the report as a JSON tree */
    public JsonNode json() {
        return root;
    }

    /**
     * @param items the gold sentences of the run
     * @param predictions the run's predictions file; must hold every item
     * @param title a title, e.g. the configuration's file name
     * @param bootstrapSeed the bootstrap's seed
     * @return the report
     * @throws IOException when the file cannot be read
     * @throws El4nerException when a sentence is missing from the file or does not match the gold text
     */
    public static EvaluationReport of(List<EvaluationItem> items, Path predictions, String title, long bootstrapSeed)
            throws IOException {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            index.put(items.get(i).id(), i);
        }
        JsonNode[] lines = new JsonNode[items.size()];
        for (JsonLinesFile.Record r : JsonLinesFile.read(predictions, (line, problem) ->
                new El4nerException(predictions + ": line " + line + " is " + problem))) {
            int lineNo = r.line();
            JsonNode n = r.json();
            Integer i = index.get(n.path("id").asText());
            if (i == null) {
                throw new El4nerException(predictions + ": line " + lineNo + " is sentence '" + n.path("id").asText()
                        + "', which is not in the gold data of this run");
            }
            if (!items.get(i).sentence().text().equals(n.path("text").asText())) {
                throw new El4nerException(predictions + ": line " + lineNo + ": sentence '" + items.get(i).id()
                        + "' does not match the gold sentence text");
            }
            lines[i] = n;
        }
        for (int i = 0; i < lines.length; i++) {
            if (lines[i] == null) {
                throw new El4nerException(predictions + " has no prediction for sentence '" + items.get(i).id()
                        + "'; resume the run first");
            }
        }

        List<ScoredSpan> gold = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ConllSentence s = items.get(i).sentence();
            for (TokenSpan t : s.spans()) {
                LabeledSpan c = s.toCharSpan(t);
                gold.add(new ScoredSpan(i, c.start(), c.end(), c.type()));
            }
        }
        Map<String, List<ScoredSpan>> rows = new LinkedHashMap<>();
        for (int i = 0; i < lines.length; i++) {
            List<ScoredSpan> fin = rows.computeIfAbsent(Ablations.VALIDATION, k -> new ArrayList<>());
            for (JsonNode e : lines[i].path("entities")) {
                fin.add(new ScoredSpan(i, e.get("start").asInt(), e.get("end").asInt(), e.get("type").asText()));
            }
            final int sentence = i;
            lines[i].path("ablations").fields().forEachRemaining(r -> {
                List<ScoredSpan> row = rows.computeIfAbsent(r.getKey(), k -> new ArrayList<>());
                for (JsonNode a : r.getValue()) {
                    row.add(new ScoredSpan(sentence, a.get(0).asInt(), a.get(1).asInt(), a.get(2).asText()));
                }
            });
        }
        // rows in a reading order: members, union, vote, then the final answer
        Map<String, List<ScoredSpan>> ordered = new LinkedHashMap<>();
        rows.forEach((k, v) -> {
            if (k.startsWith("member:")) {
                ordered.put(k, v);
            }
        });
        for (String k : List.of(Ablations.UNION, Ablations.VOTE, Ablations.VALIDATION)) {
            if (rows.containsKey(k)) {
                ordered.put(k, rows.get(k));
            }
        }

        ObjectNode root = JSON.createObjectNode();
        root.put("title", title);
        root.put("sentences", items.size());
        root.put("goldEntities", gold.size());
        root.put("failedSentences", count(lines, n -> n.has("failure")));
        root.put("degradedSentences", count(lines, n -> n.path("degraded").asBoolean(false)));
        root.set("failureCauses", FailureCauses.json(items, lines));
        ScoreReport overall = Scorer.spans(items.size(), gold, ordered.getOrDefault(Ablations.VALIDATION, List.of()));
        root.set("overall", scoreJson(overall, bootstrapSeed, true));
        ObjectNode rowsJson = root.putObject("rows");
        ordered.forEach((name, spans) -> rowsJson.set(name, scoreJson(Scorer.spans(items.size(), gold, spans),
                bootstrapSeed, false)));
        root.set("validator", validatorJson(gold, ordered.get(Ablations.VOTE), ordered.get(Ablations.VALIDATION)));
        List<String> members = new ArrayList<>();
        ordered.keySet().stream().filter(k -> k.startsWith("member:")).forEach(k -> members.add(k.substring(7)));
        root.set("usage", UsageTotals.json(lines, members));
        root.set("datasets", breakdown(items, gold, ordered.get(Ablations.VALIDATION), EvaluationItem::dataset,
                bootstrapSeed));
        root.set("languages", breakdown(items, gold, ordered.get(Ablations.VALIDATION), EvaluationItem::language,
                bootstrapSeed));
        return new EvaluationReport(root, List.copyOf(items), lines);
    }

    private interface Pred {
        boolean test(JsonNode n);
    }

    private static int count(JsonNode[] lines, Pred p) {
        int c = 0;
        for (JsonNode n : lines) {
            if (p.test(n)) {
                c++;
            }
        }
        return c;
    }

    private static ObjectNode scoreJson(ScoreReport r, long seed, boolean withTypes) {
        ObjectNode o = JSON.createObjectNode();
        o.set("micro", score(r.micro()));
        o.put("macroF1", r.macroF1());
        BootstrapInterval ci = r.bootstrapMicroF1(BootstrapInterval.DEFAULT_RESAMPLES, seed);
        o.putObject("f1Interval95").put("low", ci.low()).put("high", ci.high()).put("resamples", ci.resamples())
                .put("seed", seed);
        if (withTypes) {
            ObjectNode t = o.putObject("types");
            r.types().forEach((type, s) -> t.set(type, score(s)));
        }
        return o;
    }

    private static ObjectNode score(Score s) {
        return JSON.createObjectNode().put("tp", s.tp()).put("fp", s.fp()).put("fn", s.fn())
                .put("precision", s.precision()).put("recall", s.recall()).put("f1", s.f1());
    }

    private static ObjectNode validatorJson(List<ScoredSpan> gold, List<ScoredSpan> vote, List<ScoredSpan> fin) {
        ObjectNode o = JSON.createObjectNode();
        if (vote == null || fin == null) {
            return o;
        }
        Set<ScoredSpan> g = new HashSet<>(gold);
        Set<ScoredSpan> f = new HashSet<>(fin);
        int keptRight = 0;
        int keptWrong = 0;
        int removedRight = 0;
        int removedWrong = 0;
        for (ScoredSpan s : new HashSet<>(vote)) {
            boolean right = g.contains(s);
            if (f.contains(s)) {
                if (right) {
                    keptRight++;
                } else {
                    keptWrong++;
                }
            } else if (right) {
                removedRight++;
            } else {
                removedWrong++;
            }
        }
        return o.put("keptRight", keptRight).put("removedWrong", removedWrong).put("removedRight", removedRight)
                .put("keptWrong", keptWrong);
    }

    private static ObjectNode breakdown(List<EvaluationItem> items, List<ScoredSpan> gold, List<ScoredSpan> fin,
                                        java.util.function.Function<EvaluationItem, String> key, long seed) {
        ObjectNode o = JSON.createObjectNode();
        Map<String, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < items.size(); i++) {
            groups.computeIfAbsent(key.apply(items.get(i)), k -> new ArrayList<>()).add(i);
        }
        if (groups.size() < 2) {
            return o;
        }
        groups.forEach((name, idx) -> {
            Map<Integer, Integer> local = new HashMap<>();
            for (int j = 0; j < idx.size(); j++) {
                local.put(idx.get(j), j);
            }
            List<ScoredSpan> g = relocate(gold, local);
            List<ScoredSpan> p = relocate(fin == null ? List.of() : fin, local);
            ObjectNode group = scoreJson(Scorer.spans(idx.size(), g, p), seed, true);
            group.put("sentences", idx.size());
            group.put("goldEntities", g.size());
            o.set(name, group);
        });
        return o;
    }

    private static List<ScoredSpan> relocate(List<ScoredSpan> spans, Map<Integer, Integer> local) {
        List<ScoredSpan> out = new ArrayList<>();
        for (ScoredSpan s : spans) {
            Integer j = local.get(s.sentence());
            if (j != null) {
                out.add(new ScoredSpan(j, s.start(), s.end(), s.type()));
            }
        }
        return out;
    }

    /**
     * Writes {@code report.json}, {@code report.md} and {@code report.html} into a directory.
     *
     * @param dir the directory
     * @throws IOException when a file cannot be written
     */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        root.put("conllLeftOut", writeConll(dir.resolve("predictions.conll")));
        Files.writeString(dir.resolve("report.json"), JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), html(), StandardCharsets.UTF_8);
    }

    /**
     * Writes the final predictions as conlleval columns ({@code token gold pred}, IOB2), for {@code el4ner score}.
     * A predicted span that does not start and end on token boundaries, or overlaps one already written, cannot
     * be tagged: it is left out of this file (the report's span-level scores still count it) and counted.
     *
     * @param file the file to write
     * @return how many predicted spans were left out
     * @throws IOException when it cannot be written
     */
    public int writeConll(Path file) throws IOException {
        int leftOut = 0;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            ConllSentence s = items.get(i).sentence();
            List<LabeledSpan> ok = new ArrayList<>();
            List<TokenSpan> taken = new ArrayList<>();
            for (JsonNode e : lines[i].path("entities")) {
                LabeledSpan span = new LabeledSpan(e.get("start").asInt(), e.get("end").asInt(), e.get("type").asText());
                var t = s.toTokenSpan(span);
                if (t.isEmpty() || taken.stream().anyMatch(x -> x.start() < t.get().end() && t.get().start() < x.end())) {
                    leftOut++;
                    continue;
                }
                taken.add(t.get());
                ok.add(span);
            }
            PredictionFiles.writeConll(sb, s.withTags(Scheme.convert(s.tags(), Scheme.IOB2)), s.tagsFor(ok, Scheme.IOB2));
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return leftOut;
    }

    /** @return the report as Markdown */
    public String markdown() {
        return MarkdownReport.render(root);
    }

    /**
     * @return a self-contained page (polyglot HTML5: also well-formed XML) with tables and SVG charts: summary,
     *     most frequent errors, F1 by stage and member with 95% intervals, per type, the validator's effect, per
     *     dataset and language, calls, tokens and latency per stage and member in pipeline order
     */
    public String html() {
        return HtmlReport.render(root);
    }
}
