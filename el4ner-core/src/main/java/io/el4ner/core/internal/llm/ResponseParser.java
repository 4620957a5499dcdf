package io.el4ner.core.internal.llm;

import io.el4ner.api.TypedSpan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads what small models really answer: JSON in code fences or inside prose, single-quoted or with trailing
 * commas, the shapes the prompts ask for and their common variants, numbered or bulleted lists, and the
 * {@code [CLS]a[SEP]b[SEP]} format of the reference implementation. What it cannot read it reports in
 * {@link Parsed#problems()}; it never guesses (no splitting prose on commas).
 *
 * <p>Every answer is hostile input, so the work is bounded: every scan is hand-written and linear in the answer's
 * length (no backtracking regular expression); the search for JSON inside prose scans and hands Jackson at most
 * about {@value JsonLocator#JSON_WORK_FACTOR} times the answer's length, then gives up and says so; at most
 * {@value #MAX_PROBLEMS} problems are listed (the others are counted in {@link Parsed#omitted()}; the reason an answer
 * could not be read at all is always listed), each redacted and cut to {@value #MAX_PROBLEM_CHARS} characters.
 */
public final class ResponseParser {
    /** Problems listed at most per parse; the others are counted. */
    public static final int MAX_PROBLEMS = 20;
    /** Characters of a listed problem at most (after redaction). */
    public static final int MAX_PROBLEM_CHARS = 300;
    private static final Pattern SEP = Pattern.compile("[SEP]", Pattern.LITERAL);
    private static final Pattern CLS = Pattern.compile("[CLS]", Pattern.LITERAL);
    private static final Set<String> EMPTY_ANSWERS = Set.of("none", "no entities", "no entity", "n/a", "empty",
            "nothing", "no named entities", "there are no entities", "no entities found");

    private ResponseParser() {
    }

    /**
     * What a parse produced.
     *
     * @param value what could be read
     * @param parsed whether the answer had a readable shape at all; false means the whole answer is garbage
     * @param problems parts that could not be read, each redacted and bounded: at most {@link #MAX_PROBLEMS}, and
     *     one more, first, when the answer could not be read at all (why)
     * @param omitted how many more problems there were, not listed
     * @param <T> the value's type
     */
    public record Parsed<T>(T value, boolean parsed, List<String> problems, int omitted) {
        /** Copies the problems. */
        public Parsed {
            problems = List.copyOf(problems);
            if (omitted < 0) {
                throw new IllegalArgumentException("omitted must be >= 0, got " + omitted);
            }
        }

        /**
         * A parse with every problem listed.
         *
         * @param value what could be read
         * @param parsed whether the answer had a readable shape at all
         * @param problems parts that could not be read
         */
        public Parsed(T value, boolean parsed, List<String> problems) {
            this(value, parsed, problems, 0);
        }

        Parsed(T value, boolean parsed, Problems problems) {
            this(value, parsed, problems.listed, problems.omitted);
        }
    }

    /** A verifier's judgement; {@code type} is empty when the answer did not repeat it. */
    public record Judgement(String span, String type, boolean valid) {
    }

    /**
     * @param output a model's extraction answer
     * @return the span strings, in answer order, duplicates kept
     */
    public static Parsed<List<String>> spans(String output) {
        Problems problems = new Problems();
        JsonLocator.JsonSearch json = JsonLocator.findJsonBounded(output);
        if (json.node().isPresent()) {
            List<String> spans = new ArrayList<>();
            if (AnswerShapes.collectSpans(json.node().get(), spans, problems)) {
                return new Parsed<>(spans, true, problems);
            }
        }
        json.reportGaveUp(problems);
        String text = JsonLocator.stripFences(output).strip();
        if (isEmptyAnswer(text)) {
            return new Parsed<>(List.of(), true, problems);
        }
        if (text.contains("[SEP]")) {
            List<String> spans = new ArrayList<>();
            for (String s : SEP.split(text.replace("[CLS]", ""))) {
                if (!s.isBlank()) {
                    spans.add(s.strip());
                }
            }
            return new Parsed<>(spans, true, problems);
        }
        List<String> items = new ArrayList<>();
        Problems stray = new Problems();
        for (String line : AnswerLines.lines(text)) {
            String item = AnswerLines.listItem(line);
            if (item != null) {
                items.add(item);
            } else if (!line.isBlank() && !line.strip().endsWith(":")) {
                stray.add(() -> "ignored a line that is not a list item: " + line.strip());
            }
        }
        if (!items.isEmpty()) {
            problems.addAll(stray);
            return new Parsed<>(items, true, problems);
        }
        return unparsed(problems, "no JSON and no list found in the answer");
    }

    /**
     * @param output a model's classification answer
     * @return (span, label) pairs in answer order; labels as the model wrote them
     */
    public static Parsed<List<TypedSpan>> labels(String output) {
        Problems problems = new Problems();
        JsonLocator.JsonSearch json = JsonLocator.findJsonBounded(output);
        if (json.node().isPresent()) {
            List<TypedSpan> pairs = new ArrayList<>();
            if (AnswerShapes.collectLabels(json.node().get(), pairs, problems)) {
                return new Parsed<>(pairs, true, problems);
            }
        }
        json.reportGaveUp(problems);
        String text = JsonLocator.stripFences(output).strip();
        if (isEmptyAnswer(text)) {
            return new Parsed<>(List.of(), true, problems);
        }
        List<TypedSpan> pairs = new ArrayList<>();
        if (text.contains("[SEP]")) {
            for (String chunk : CLS.split(text)) {
                String[] parts = SEP.split(chunk);
                if (parts.length >= 2 && !parts[0].isBlank() && !parts[1].isBlank()) {
                    pairs.add(new TypedSpan(parts[0].strip(), parts[1].strip()));
                } else if (!chunk.isBlank()) {
                    problems.add(() -> "unreadable item: " + chunk.strip());
                }
            }
            return new Parsed<>(pairs, !pairs.isEmpty(), problems);
        }
        for (String line : AnswerLines.lines(text)) {
            if (line.isBlank() || line.strip().endsWith(":")) {
                continue;
            }
            String[] pair = AnswerLines.pairLine(line);
            if (pair != null) {
                pairs.add(new TypedSpan(AnswerLines.unquote(pair[0].strip()), AnswerLines.unquote(pair[1])));
            } else {
                problems.add(() -> "ignored a line that is not 'span: type': " + line.strip());
            }
        }
        if (pairs.isEmpty()) {
            return unparsed(problems, "no JSON and no 'span: type' lines found in the answer");
        }
        return new Parsed<>(pairs, true, problems);
    }

    /**
     * @param output a verifier's answer
     * @param asked the entities asked about; a bare true/false is accepted when exactly one was asked
     * @return the judgements in answer order
     */
    public static Parsed<List<Judgement>> verdicts(String output, List<TypedSpan> asked) {
        Problems problems = new Problems();
        JsonLocator.JsonSearch json = JsonLocator.findJsonBounded(output);
        if (json.node().isPresent()) {
            List<Judgement> out = new ArrayList<>();
            if (AnswerShapes.collectVerdicts(json.node().get(), asked, out, problems)) {
                return new Parsed<>(out, true, problems);
            }
        }
        json.reportGaveUp(problems);
        String text = JsonLocator.stripFences(output).strip();
        Boolean bare = AnswerLines.bool(text);
        if (bare != null && asked.size() == 1) {
            return new Parsed<>(List.of(new Judgement(asked.get(0).text(), asked.get(0).type(), bare)), true,
                    problems);
        }
        List<Judgement> out = new ArrayList<>();
        for (String line : AnswerLines.lines(text)) {
            if (line.isBlank() || line.strip().endsWith(":")) {
                continue;
            }
            String[] pair = AnswerLines.pairLine(line);
            Boolean b = pair != null ? AnswerLines.bool(pair[1]) : null;
            if (b != null) {
                out.add(new Judgement(AnswerLines.unquote(pair[0].strip()), "", b));
            } else {
                problems.add(() -> "ignored a line that is not 'span: true|false': " + line.strip());
            }
        }
        if (out.isEmpty()) {
            return unparsed(problems, "no JSON and no 'span: true|false' lines in the answer");
        }
        return new Parsed<>(out, true, problems);
    }

    /** A parse that found nothing readable; the reason comes first, listed whatever else was. */
    private static <T> Parsed<List<T>> unparsed(Problems problems, String reason) {
        problems.listed.add(0, reason);
        return new Parsed<>(List.of(), false, problems);
    }

    private static boolean isEmptyAnswer(String text) {
        String t = text.toLowerCase(Locale.ROOT).replaceAll("[.!\"']", "").strip();
        return t.isEmpty() ? false : EMPTY_ANSWERS.contains(t);
    }
}
