package io.el4ner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.core.PromptTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What determines the predictions of an {@code evaluate} run, as recorded in {@code OUT/run.json}: a run is resumed
 * only when all of it is the same, so that predictions made with other inputs are never mixed into one report.
 * <ul>
 *   <li>the configuration's content in canonical form (keys sorted, numbers normalised, so whitespace, key order
 *       and {@code 1} vs {@code 1.0} do not matter), with secret values masked: they are never written, not even
 *       hashed, and a changed API key does not stop a resume;</li>
 *   <li>the SHA-256 of every file (or directory) a string of the configuration names, relative to its folder
 *       (demonstration pools, recorded answers, gold files of {@code simulated} members, an encoder's
 *       {@code directory}…), except the files el4ner itself writes while it runs: a {@code span-sim}
 *       {@code index} (a cache checked against the encoder, span mode and pool when loaded) and a
 *       {@code record-replay} {@code file} in a recording mode;</li>
 *   <li>the data files (the name their sentence ids carry and their SHA-256), their languages, the scheme, the tag
 *       column, the sample size and the seed;</li>
 *   <li>the versions of el4ner's prompts.</li>
 * </ul>
 * A folder is hashed by its files' relative paths and contents, leaving out the run's own --out folder; a folder
 * of more than 10,000 files is not hashed. The configuration's and data files' paths and el4ner's version are
 * recorded for the reader, not compared.
 */
final class RunFingerprint {
    /** The version of this record in run.json; a run.json without it comes from before fingerprints. */
    static final int VERSION = 1;
    static final String KEY = "fingerprint";
    /** A directory with more files than this is recorded by its path only. */
    private static final int MAX_DIRECTORY_FILES = 10_000;
    private static final int MAX_SHOWN = 5;
    private static final int MAX_VALUE_CHARS = 60;
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A data file: the name its sentence ids carry, and the file. */
    record DataFile(String name, Path file) {
    }

    private RunFingerprint() {
    }

    /**
     * @param config the configuration file, already loaded without problems
     * @param secrets its secret values
     * @param data the data files, in order
     * @param languages the language of each data file
     * @param scheme the tagging scheme, lower case
     * @param column the 1-based tag column, 0 for the last
     * @param sample the sample size, or null for all sentences
     * @param seed the seed
     * @param out the run's output folder, never part of a hashed folder
     * @return the fingerprint, to be stored under {@value #KEY} in run.json
     * @throws IOException when a file cannot be read
     */
    static ObjectNode of(Path config, Secrets secrets, List<DataFile> data, List<String> languages, String scheme,
                         int column, Integer sample, long seed, Path out) throws IOException {
        JsonNode raw = ConfigLoader.STRICT.readTree(Files.readAllBytes(config));
        Path base = config.toAbsolutePath().getParent();
        ObjectNode f = NODES.objectNode();
        f.put("version", VERSION);
        JsonNode canonical = canonical(raw, false, secrets);
        f.put("configSha256", sha256(JSON.writeValueAsBytes(canonical)));
        f.set("configuration", canonical);
        ObjectNode files = f.putObject("configFiles");
        try {
            referencedFiles(raw, "$", base == null ? Path.of("") : base, secrets, out.toAbsolutePath().normalize(),
                    files);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        ArrayNode d = f.putArray("data");
        for (DataFile df : data) {
            d.addObject().put("name", df.name()).put("sha256", sha256(df.file()));
        }
        ArrayNode l = f.putArray("languages");
        languages.forEach(l::add);
        f.put("scheme", scheme);
        f.put("column", column);
        if (sample != null) {
            f.put("sample", sample);
        }
        f.put("seed", seed);
        ObjectNode prompts = f.putObject("prompts");
        for (Stage s : Stage.values()) {
            prompts.put(s.name().toLowerCase(Locale.ROOT), PromptTemplate.defaultFor(s).version());
        }
        return f;
    }

    /**
     * @param before the fingerprint recorded in run.json (may come from another el4ner, so read defensively)
     * @param now this run's
     * @return what differs, one line each, in words a user acts on; empty when the run may be resumed
     */
    static List<String> differences(JsonNode before, JsonNode now) {
        List<String> out = new ArrayList<>();
        if (before.path("version").asInt() != VERSION) {
            out.add("run.json was written by another el4ner (fingerprint version " + before.path("version")
                    + ", this one writes " + VERSION + ")");
            return out;
        }
        if (!before.path("configSha256").equals(now.path("configSha256"))) {
            List<String> changes = new ArrayList<>();
            diff(before.path("configuration"), now.path("configuration"), "$", changes);
            if (changes.isEmpty()) {
                out.add("the configuration changed");
            } else {
                List<String> shown = new ArrayList<>(changes.subList(0, Math.min(MAX_SHOWN, changes.size())));
                if (changes.size() > MAX_SHOWN) {
                    shown.add((changes.size() - MAX_SHOWN) + " more");
                }
                out.add("the configuration changed: " + String.join("; ", shown));
            }
        }
        JsonNode filesBefore = before.path("configFiles");
        for (Map.Entry<String, JsonNode> e : now.path("configFiles").properties()) {
            JsonNode was = filesBefore.path(e.getKey());
            if (was.isObject() && was.path("path").equals(e.getValue().path("path"))
                    && !was.path("sha256").equals(e.getValue().path("sha256"))) {
                out.add("the content of " + e.getValue().path("path").asText() + " (named by " + e.getKey()
                        + ") changed");
            }
        }
        List<String> namesBefore = texts(before.path("data"), "name");
        List<String> namesNow = texts(now.path("data"), "name");
        if (!namesBefore.equals(namesNow)) {
            out.add("the data files changed: " + namesBefore + " → " + namesNow);
        } else {
            for (int i = 0; i < namesNow.size(); i++) {
                if (!before.path("data").path(i).path("sha256").equals(now.path("data").path(i).path("sha256"))) {
                    out.add("the content of data file " + namesNow.get(i) + " changed");
                }
            }
        }
        option(out, "--language", before.path("languages"), now.path("languages"), "und");
        option(out, "--scheme", before.path("scheme"), now.path("scheme"), "iob2");
        option(out, "--column", before.path("column"), now.path("column"), "the last");
        option(out, "--sample", before.path("sample"), now.path("sample"), "all sentences");
        option(out, "--seed", before.path("seed"), now.path("seed"), "1");
        if (!same(before.path("prompts"), now.path("prompts"))) {
            out.add("el4ner's prompts changed: " + before.path("prompts") + " → " + now.path("prompts"));
        }
        return out;
    }

    private static void option(List<String> out, String name, JsonNode before, JsonNode now, String absent) {
        if (!same(before, now)) {
            out.add(name + " was " + shown(before, absent) + ", now " + shown(now, absent));
        }
    }

    private static String shown(JsonNode n, String absent) {
        if (n.isMissingNode() || n.isNull() || (n.isIntegralNumber() && n.asLong() == 0 && absent.equals("the last"))) {
            return absent;
        }
        return n.isTextual() ? n.asText() : n.toString();
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    /** The paths where two canonical trees differ, with the values (already masked) on either side. */
    private static void diff(JsonNode a, JsonNode b, String path, List<String> out) {
        if (same(a, b)) {
            return;
        }
        if (a.isObject() && b.isObject()) {
            TreeMap<String, Boolean> keys = new TreeMap<>();
            a.fieldNames().forEachRemaining(k -> keys.put(k, true));
            b.fieldNames().forEachRemaining(k -> keys.put(k, true));
            for (String k : keys.keySet()) {
                String p = JsonChecker.child(path, k);
                if (!a.has(k)) {
                    out.add(p + " added (" + value(b.get(k)) + ")");
                } else if (!b.has(k)) {
                    out.add(p + " removed (was " + value(a.get(k)) + ")");
                } else {
                    diff(a.get(k), b.get(k), p, out);
                }
            }
        } else if (a.isArray() && b.isArray()) {
            int common = Math.min(a.size(), b.size());
            for (int i = 0; i < common; i++) {
                diff(a.get(i), b.get(i), path + "[" + i + "]", out);
            }
            if (a.size() != b.size()) {
                out.add(path + " has " + b.size() + " entries, was " + a.size());
            }
        } else {
            out.add(path + " " + value(a) + " → " + value(b));
        }
    }

    /** Equal as written: a number read back from run.json may be an int where this run's is a long. */
    private static boolean same(JsonNode a, JsonNode b) {
        return a.toString().equals(b.toString());
    }

    private static String value(JsonNode n) {
        String s = n.toString();
        return s.length() <= MAX_VALUE_CHARS ? s : s.substring(0, MAX_VALUE_CHARS - 1) + "…";
    }

    /**
     * Sorted keys, normalised numbers; strings under a secret-looking field masked whole, and any secret value of
     * the configuration masked inside other strings.
     */
    private static JsonNode canonical(JsonNode n, boolean secret, Secrets secrets) {
        if (n.isObject()) {
            ObjectNode o = NODES.objectNode();
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            n.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
            sorted.forEach((k, v) -> o.set(k, canonical(v, secret || isSecretField(k), secrets)));
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = NODES.arrayNode();
            n.forEach(v -> a.add(canonical(v, secret, secrets)));
            return a;
        }
        if (n.isTextual()) {
            return NODES.textNode(secret ? Secrets.MASK : secrets.mask(n.asText()));
        }
        if (n.isNumber()) {
            BigDecimal d = n.decimalValue().stripTrailingZeros();
            if (d.scale() <= 0 && d.precision() - d.scale() <= 18) {
                return NODES.numberNode(d.longValueExact());
            }
            return NODES.numberNode(n.doubleValue());
        }
        return n.deepCopy();
    }

    private static boolean isSecretField(String name) {
        return Redaction.isSecretName(name) && !Secrets.VARIABLE_NAME.matcher(name).matches();
    }

    /**
     * Hashes every existing file or directory named by a string of the configuration, keyed by its JSON path.
     * Strings under secret-looking fields and URLs are never paths.
     */
    private static void referencedFiles(JsonNode n, String path, Path base, Secrets secrets, Path ownOutput,
                                        ObjectNode out) {
        if (n.isObject()) {
            String provider = n.path("provider").asText("");
            JsonNode parameters = n.path("parameters");
            String written = null;
            if (provider.equals("span-sim")) {
                written = "index";
            } else if (provider.equals("record-replay")
                    && !parameters.path("mode").asText("record-missing").equals("replay")) {
                written = "file";
            }
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (isSecretField(e.getKey())) {
                    continue;
                }
                String p = JsonChecker.child(path, e.getKey());
                if (written != null && e.getKey().equals("parameters") && e.getValue().isObject()) {
                    ObjectNode kept = e.getValue().deepCopy();
                    kept.remove(written);
                    referencedFiles(kept, p, base, secrets, ownOutput, out);
                } else {
                    referencedFiles(e.getValue(), p, base, secrets, ownOutput, out);
                }
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                referencedFiles(n.get(i), path + "[" + i + "]", base, secrets, ownOutput, out);
            }
        } else if (n.isTextual()) {
            String s = n.asText();
            if (s.isBlank() || s.contains("://") || s.length() > 4096 || s.indexOf('\n') >= 0) {
                return;
            }
            Path file;
            try {
                file = base.resolve(s).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                return;
            }
            try {
                String hash = Files.isRegularFile(file) ? sha256(file)
                        : Files.isDirectory(file) ? directorySha256(file, ownOutput) : null;
                if (hash != null) {
                    out.putObject(path).put("path", secrets.mask(s)).put("sha256", hash);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The files of a directory and their content; the run's own output folder, if inside, is left out. */
    private static String directorySha256(Path dir, Path ownOutput) throws IOException {
        if (ownOutput.equals(dir)) {
            return null;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(f -> !f.startsWith(ownOutput)).filter(Files::isRegularFile).limit(MAX_DIRECTORY_FILES + 1L).sorted().toList();
        }
        if (files.size() > MAX_DIRECTORY_FILES) {
            return null;
        }
        Map<String, String> each = new LinkedHashMap<>();
        for (Path f : files) {
            each.put(dir.relativize(f).toString().replace('\\', '/'), sha256(f));
        }
        return "dir:" + sha256(JSON.writeValueAsBytes(each));
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
