package io.el4ner.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The tiny random-weight decoder fixtures of src/test/resources/io/el4ner/onnx/decoders. */
public final class DecoderFixtures {
    /** Multi-head attention, tied embeddings: onnx/model.onnx. */
    public static final String MHA = "tiny-mha";
    /** Grouped-query attention (4 query, 2 KV heads): onnx/model.onnx (+ model.onnx_data) and onnx/model_q4.onnx. */
    public static final String GQA = "tiny-gqa";

    private DecoderFixtures() {
    }

    /**
     * @param name {@link #MHA} or {@link #GQA}
     * @return the fixture's folder
     */
    public static Path dir(String name) {
        URL url = DecoderFixtures.class.getResource("/io/el4ner/onnx/decoders/" + name);
        if (url == null) {
            throw new IllegalStateException("fixture " + name + " is not on the test class path");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies a fixture's folder, to damage the copy.
     *
     * @param name the fixture
     * @param to the new folder, which must not exist
     * @return {@code to}
     */
    public static Path copy(String name, Path to) {
        Path from = dir(name);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
