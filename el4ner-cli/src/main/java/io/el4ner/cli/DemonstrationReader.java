package io.el4ner.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.el4ner.api.Demonstration;
import io.el4ner.api.EntityType;
import io.el4ner.api.LabeledSpan;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a configuration's {@code demonstrations} section: {@code k}, the inline {@code pool} and the JSON Lines
 * {@code file}, whose problems are reported by file and line. A demonstration with a problem is left out; the others
 * are still read, so that every problem is found in one run.
 */
final class DemonstrationReader {
    private static final List<String> DEMONSTRATIONS = List.of("k", "pool", "file");
    private static final List<String> DEMONSTRATION = List.of("text", "entities");
    private static final List<String> SPAN = List.of("start", "end", "type", "text");

    /**
     * The section read.
     *
     * @param pool the demonstrations, inline ones first, then the file's
     * @param k demonstrations per sentence, or null when not given
     */
    record Section(List<Demonstration> pool, Integer k) {
        static final Section NONE = new Section(List.of(), null);
    }

    private final JsonChecker check;
    private final List<EntityType> types;

    /**
     * @param check where problems go
     * @param types the label set read so far, which each span's type must be in (unless it is empty)
     */
    DemonstrationReader(JsonChecker check, List<EntityType> types) {
        this.check = check;
        this.types = types;
    }

    /**
     * @param demos the section, or null when not given
     * @param base the configuration file's folder, against which the file is resolved
     * @return what was read; problems went to the checker
     */
    Section read(JsonNode demos, Path base) {
        if (!JsonChecker.present(demos)
                || !check.object(demos, "$.demonstrations", "an object {\"k\", \"pool\", \"file\"}")) {
            return Section.NONE;
        }
        check.knownFields(demos, "$.demonstrations", DEMONSTRATIONS);
        Integer k = check.integer(demos.get("k"), "$.demonstrations.k", 0);
        List<Demonstration> pool = new ArrayList<>();
        JsonNode inline = demos.get("pool");
        if (JsonChecker.present(inline)
                && check.array(inline, "$.demonstrations.pool", "an array of {\"text\", \"entities\"} objects")) {
            for (int i = 0; i < inline.size(); i++) {
                demonstration(inline.get(i), "$.demonstrations.pool[" + i + "]", pool);
            }
        }
        String file = check.string(demos.get("file"), "$.demonstrations.file", true);
        if (file != null) {
            file(file, base, pool);
        }
        return new Section(pool, k);
    }

    private void demonstration(JsonNode item, String path, List<Demonstration> out) {
        if (!check.object(item, path, "an object {\"text\": ..., \"entities\": [{\"start\", \"end\", \"type\"}]}")) {
            return;
        }
        check.knownFields(item, path, DEMONSTRATION);
        String text = check.requiredString(item, path, "text", "the labelled sentence");
        JsonNode entities = item.get("entities");
        List<LabeledSpan> spans = new ArrayList<>();
        boolean ok = text != null;
        if (JsonChecker.present(entities) && check.array(entities, path + ".entities",
                "an array of {\"start\", \"end\", \"type\"} objects")) {
            Set<String> typeNames = new HashSet<>();
            types.forEach(t -> typeNames.add(t.name()));
            for (int i = 0; i < entities.size(); i++) {
                String p = path + ".entities[" + i + "]";
                JsonNode s = entities.get(i);
                if (!check.object(s, p, "an object {\"start\", \"end\", \"type\"}")) {
                    ok = false;
                    continue;
                }
                check.knownFields(s, p, SPAN);
                Integer start = check.requiredInteger(s, p, "start", 0);
                Integer end = check.requiredInteger(s, p, "end", 0);
                String type = check.requiredString(s, p, "type", "one of the entityTypes' names");
                String covered = check.string(s.get("text"), p + ".text", false);
                if (start == null || end == null || type == null || text == null) {
                    ok = false;
                    continue;
                }
                if (end <= start || end > text.length()) {
                    check.problem(p + " spans [" + start + ", " + end + "), which is not inside the text of length "
                            + text.length() + "; offsets are UTF-16 indices with start < end <= length");
                    ok = false;
                } else if (covered != null && !covered.equals(text.substring(start, end))) {
                    check.problem(p + ".text is \"" + covered + "\" but [" + start + ", " + end + ") covers \""
                            + text.substring(start, end) + "\"; fix the offsets or the text");
                    ok = false;
                } else if (!types.isEmpty() && !typeNames.contains(type)) {
                    // build() checks this too, without the file, line and path: the demonstration is left out
                    check.problem(p + ".type \"" + type + "\" is not one of the entityTypes " + typeNames.stream()
                            .sorted().toList() + "; add it to entityTypes or fix the type");
                    ok = false;
                } else {
                    spans.add(new LabeledSpan(start, end, type));
                }
            }
        }
        if (ok) {
            out.add(new Demonstration(text, spans));
        }
    }

    /** The JSON Lines file: one demonstration a line; blank lines are skipped, a leading byte order mark dropped. */
    private void file(String name, Path base, List<Demonstration> out) {
        Path file;
        try {
            file = base.resolve(name);
        } catch (InvalidPathException e) {
            check.problem("$.demonstrations.file is not a valid path: " + e.getReason());
            return;
        }
        byte[] bytes;
        try {
            bytes = ConfigLoader.readFile(file, name, "demonstration", "the configuration file's folder " + base);
        } catch (ConfigException e) {
            check.problem("$.demonstrations.file: " + e.getMessage());
            return;
        }
        check.withSource(name, () -> {
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\\R", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = i == 0 && lines[i].startsWith("\uFEFF") ? lines[i].substring(1) : lines[i];
                if (line.isBlank()) {
                    continue;
                }
                String where = "line " + (i + 1);
                JsonNode node;
                try {
                    node = ConfigLoader.STRICT.readTree(line);
                } catch (JsonProcessingException e) {
                    check.problem(where + ": not valid JSON: "
                            + ConfigLoader.describe(e).replaceAll(" \\(line 1, column", " (column"));
                    continue;
                }
                demonstration(node, where + ": $", out);
            }
        });
    }
}
