package io.el4ner.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import io.el4ner.eval.internal.JsonLinesFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prediction files: CoNLL columns {@code token gold predicted} for {@code conlleval.pl}, and el4ner's own JSONL,
 * one sentence a line:
 * {@code {"text":"…","entities":[{"start":0,"end":5,"type":"PER","text":"Alice"}]}} (UTF-16 offsets into
 * {@code text}, end exclusive).
 *
 * @since 0.1
 */
public final class PredictionFiles {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private PredictionFiles() {
    }

    /**
     * Writes one sentence as {@code conlleval.pl} reads it: a line {@code token gold predicted} per token, separated
     * by single spaces, then a blank line.
     *
     * @param out where to write
     * @param sentence the tokens and the gold tags (convert them with {@link ConllSentence#withTags} to the scheme
     *     of {@code predicted} first if they differ)
     * @param predicted one predicted tag per token, e.g. {@link ConllSentence#tagsFor}
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if the sizes differ or a token or tag holds whitespace
     */
    public static void writeConll(Appendable out, ConllSentence sentence, List<String> predicted) throws IOException {
        if (predicted.size() != sentence.size()) {
            throw new IllegalArgumentException(sentence.id() + ": " + sentence.size() + " tokens but "
                    + predicted.size() + " predicted tags");
        }
        StringBuilder sb = new StringBuilder(sentence.text().length() * 2 + 16);
        for (int i = 0; i < sentence.size(); i++) {
            sb.append(column(sentence, sentence.tokens().get(i))).append(' ')
                    .append(column(sentence, sentence.tags().get(i))).append(' ')
                    .append(column(sentence, predicted.get(i))).append('\n');
        }
        out.append(sb).append('\n');
    }

    private static String column(ConllSentence sentence, String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isWhitespace(value.charAt(i))) {
                throw new IllegalArgumentException(sentence.id() + ": '" + value
                        + "' holds whitespace, which would shift the columns");
            }
        }
        return value;
    }

    /**
     * Writes one sentence and its entities as one JSONL line (with the line break).
     *
     * @param out where to write
     * @param prediction the sentence text and its entities (sorted by offset)
     * @throws IOException if writing fails
     */
    public static void writeJsonl(Appendable out, Demonstration prediction) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("text", prediction.text());
        ArrayNode entities = root.putArray("entities");
        for (LabeledSpan s : prediction.spans()) {
            entities.addObject().put("start", s.start()).put("end", s.end()).put("type", s.type())
                    .put("text", prediction.surface(s));
        }
        out.append(JSON.writeValueAsString(root)).append('\n');
    }

    /**
     * Reads a JSONL predictions file (UTF-8); blank lines are skipped and unknown fields (e.g.
     * {@code confidence}) ignored. A last line without its line break that is not a whole JSON object was cut
     * short by an interrupted run (wherever the cut fell, inside a multi-byte character included): it is ignored
     * with a warning. A last line without its line break that is a whole object is read.
     *
     * @param file the file
     * @return one entry per non-blank line, in order
     * @throws IOException if the file cannot be read
     * @throws DatasetFormatException naming the file and line of a line (ended by a line break) that is not
     *     valid UTF-8, not JSON or not such an object, or whose entity has offsets outside the text or a
     *     {@code text} that is not the text at its offsets
     */
    public static List<Demonstration> readJsonl(Path file) throws IOException {
        String source = file.toString();
        List<Demonstration> result = new ArrayList<>();
        for (JsonLinesFile.Record r : JsonLinesFile.read(file, (line, problem) ->
                new DatasetFormatException(source, line, problem))) {
            result.add(parseLine(r.json(), source, r.line()));
        }
        return result;
    }

    /**
     * Reads JSONL predictions from characters already decoded; see {@link #readJsonl(Path)}. Every line is read as
     * a complete one: a reader does not tell whether its last line ended with a line break, so the rule for a line
     * cut short by a crash applies only to {@link #readJsonl(Path)}.
     *
     * @param in the lines; not closed
     * @param source the name in messages
     * @return one entry per non-blank line, in order
     * @throws IOException if reading fails
     */
    public static List<Demonstration> readJsonl(BufferedReader in, String source) throws IOException {
        List<Demonstration> result = new ArrayList<>();
        int lineNo = 0;
        while (true) {
            String line;
            try {
                line = in.readLine();
            } catch (CharacterCodingException e) {
                throw new DatasetFormatException(source, lineNo + 1, "not valid UTF-8; convert the file to UTF-8");
            }
            if (line == null) {
                return result;
            }
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (!line.isBlank()) {
                result.add(parseLine(line, source, lineNo));
            }
        }
    }

    private static Demonstration parseLine(String line, String source, int lineNo) {
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DatasetFormatException(source, lineNo, "not JSON: " + e.getOriginalMessage());
        }
        return parseLine(root, source, lineNo);
    }

    private static Demonstration parseLine(JsonNode root, String source, int lineNo) {
        if (root == null || !root.isObject() || !root.path("text").isTextual() || !root.path("entities").isArray()) {
            throw new DatasetFormatException(source, lineNo,
                    "expected an object {\"text\":\"...\",\"entities\":[{\"start\",\"end\",\"type\",\"text\"}]}");
        }
        String text = root.get("text").asText();
        List<LabeledSpan> spans = new ArrayList<>();
        int index = 0;
        for (JsonNode e : root.get("entities")) {
            String where = "entity " + index++ + " " + e + ": ";
            JsonNode start = e.path("start");
            JsonNode end = e.path("end");
            JsonNode type = e.path("type");
            if (!start.canConvertToInt() || !start.isIntegralNumber() || !end.canConvertToInt()
                    || !end.isIntegralNumber() || !type.isTextual() || type.asText().isBlank()) {
                throw new DatasetFormatException(source, lineNo,
                        where + "needs integer \"start\" and \"end\" and a non-blank \"type\"");
            }
            int s = start.intValue();
            int t = end.intValue();
            if (s < 0 || t <= s || t > text.length()) {
                throw new DatasetFormatException(source, lineNo, where + "needs 0 <= start < end <= "
                        + text.length() + " (the text's length)");
            }
            JsonNode surface = e.path("text");
            if (!surface.isMissingNode() && !(surface.isTextual() && surface.asText().equals(text.substring(s, t)))) {
                throw new DatasetFormatException(source, lineNo, where + "its \"text\" is not the text at ["
                        + s + ", " + t + "), which is '" + text.substring(s, t) + "'");
            }
            spans.add(new LabeledSpan(s, t, type.asText()));
        }
        return new Demonstration(text, spans);
    }
}
