package io.el4ner.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.spi.SentenceEncoderProvider;
import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Resolves io.el4ner.onnx and its dependencies as real modules (tests otherwise run on the class path): the
 * descriptor resolves against the automatic module names of ONNX Runtime and DJL, the provider is found through
 * {@code provides}, and the bundled model's jar (an automatic module nobody requires) is resolved with the other
 * automatic modules, so its resources are visible. Nothing is run: the natives stay loaded by the class path copy.
 */
class ModulePathTest {

    @Test
    void onnxResolvesAsAModuleProvidesItsEncoderAndSeesTheBundledModel() throws Exception {
        Path[] paths = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> !p.contains("test-classes") && !p.contains("junit") && !p.contains("assertj")
                        && !p.contains("opentest4j") && !p.contains("apiguardian") && !p.contains("byte-buddy")
                        && !p.contains("surefire"))
                .map(Path::of).toArray(Path[]::new);
        Configuration cf = ModuleLayer.boot().configuration()
                .resolveAndBind(ModuleFinder.of(paths), ModuleFinder.of(), Set.of("io.el4ner.onnx"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());

        Module onnx = layer.findModule("io.el4ner.onnx").orElseThrow();
        assertThat(onnx.getDescriptor().exports()).extracting(e -> e.source()).containsExactly("io.el4ner.onnx");
        assertThat(onnx.getDescriptor().requires()).extracting(r -> r.name())
                .contains("io.el4ner.api", "com.microsoft.onnxruntime", "ai.djl.tokenizers", "org.slf4j");
        assertThat(layer.findModule("langchain4j.embeddings.all.minilm.l6.v2.q")).isPresent();
        assertThat(onnx.getClassLoader().getResource("all-minilm-l6-v2-q.onnx")).isNotNull();
        assertThat(onnx.getClassLoader().getResource("all-minilm-l6-v2-q-tokenizer.json")).isNotNull();

        Class<?> spi = layer.findLoader("io.el4ner.api").loadClass(SentenceEncoderProvider.class.getName());
        List<String> names = new ArrayList<>();
        for (Object p : ServiceLoader.load(layer, spi)) {
            names.add((String) spi.getMethod("name").invoke(p));
        }
        assertThat(names).containsExactly("onnx-sentence");
    }
}
