package io.el4ner.cli;

import io.el4ner.core.DefaultEnsemble;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The default ensemble's repositories as a loopback Hub serves them ({@code <dir>/<org>/<name>/<files>}, see
 * {@code LoopbackHub.serving}), made of el4ner-onnx's tiny random-weight decoder fixtures: each file the default
 * asks for, under its name ({@code onnx/model_q4.onnx}...), with the commit in {@code <org>/<name>.commit} where the
 * default pins one. The first and third members get tiny-gqa, the second tiny-mha.
 *
 * <p>Also run by {@code .ci/run}: {@code java -cp <test classes>:el4ner.jar io.el4ner.cli.DefaultHubFixture
 * <decoder fixtures dir> <out dir>}.
 */
public final class DefaultHubFixture {
    /** el4ner-onnx's decoder fixtures, from el4ner-cli's folder (where the tests run). */
    static final Path DECODERS = Path.of("../el4ner-onnx/src/test/resources/io/el4ner/onnx/decoders");

    private DefaultHubFixture() {
    }

    /**
     * Builds the layout.
     *
     * @param decoders the folder holding {@code tiny-gqa} and {@code tiny-mha}
     * @param dir where to build it
     * @return {@code dir}
     * @throws IOException if a file cannot be copied
     */
    static Path layout(Path decoders, Path dir) throws IOException {
        int i = 0;
        for (DefaultEnsemble.Member m : DefaultEnsemble.members()) {
            boolean mha = i++ % 2 == 1;
            Path fixture = decoders.resolve(mha ? "tiny-mha" : "tiny-gqa");
            Path onnx = fixture.resolve(mha ? "onnx/model.onnx" : "onnx/model_q4.onnx");
            Path repo = dir.resolve(m.repo());
            for (DefaultEnsemble.ModelFile f : m.files()) {
                Path to = repo.resolve(f.path());
                Files.createDirectories(to.getParent());
                Files.copy(f.path().startsWith("onnx/") ? onnx : fixture.resolve(f.path()), to,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            if (m.pinned()) {
                Files.writeString(repo.resolveSibling(repo.getFileName() + ".commit"), m.revision() + "\n",
                        StandardCharsets.UTF_8);
            }
        }
        return dir;
    }

    /**
     * @param args the decoder fixtures' folder and the folder to build the layout in
     * @throws IOException if a file cannot be copied
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: DefaultHubFixture <el4ner-onnx decoder fixtures dir> <out dir>");
            System.exit(2);
        }
        layout(Path.of(args[0]), Path.of(args[1]));
    }
}
