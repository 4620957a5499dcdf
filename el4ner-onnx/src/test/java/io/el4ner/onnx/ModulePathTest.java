package io.el4ner.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.api.spi.SentenceEncoderProvider;
import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.InvocationTargetException;
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
 * automatic modules, so its resources are visible. No ONNX model is run (the natives stay loaded by the class path
 * copy), but a chat template is rendered in the layer: jinjava reaches the template's raise_exception through the
 * qualified export of the internal package.
 */
class ModulePathTest {

    /** io.el4ner.onnx and what it needs, resolved as modules from the test class path (test jars left out). */
    static ModuleLayer layer() {
        return controller().layer();
    }

    static ModuleLayer.Controller controller() {
        Path[] paths = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> !p.contains("test-classes") && !p.contains("junit") && !p.contains("assertj")
                        && !p.endsWith("-tests.jar")
                        && !p.contains("opentest4j") && !p.contains("apiguardian") && !p.contains("byte-buddy")
                        && !p.contains("surefire"))
                .map(Path::of).toArray(Path[]::new);
        Configuration cf = ModuleLayer.boot().configuration()
                .resolveAndBind(ModuleFinder.of(paths), ModuleFinder.of(), Set.of("io.el4ner.onnx"));
        return ModuleLayer.defineModulesWithOneLoader(cf, List.of(ModuleLayer.boot()),
                ClassLoader.getPlatformClassLoader());
    }

    @Test
    void modulePath_onnxModule_providesItsEncoderAndSeesTheBundledModel() throws Exception {
        ModuleLayer layer = layer();
        Module onnx = layer.findModule("io.el4ner.onnx").orElseThrow();
        assertThat(onnx.getDescriptor().exports()).filteredOn(e -> !e.isQualified()).extracting(e -> e.source())
                .containsExactly("io.el4ner.onnx");
        assertThat(onnx.getDescriptor().exports()).filteredOn(e -> e.isQualified())
                .extracting(e -> e.source() + " to " + e.targets()).containsExactly("io.el4ner.onnx.internal to [jinjava]");
        assertThat(onnx.getDescriptor().requires()).extracting(r -> r.name())
                .contains("io.el4ner.api", "com.microsoft.onnxruntime", "ai.djl.tokenizers", "org.slf4j", "jinjava",
                        "com.fasterxml.jackson.databind");
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

    @Test
    void modulePath_decoderMemberProvider_isFoundThroughProvides() throws Exception {
        ModuleLayer layer = layer();
        Class<?> spi = layer.findLoader("io.el4ner.api").loadClass(ModelMemberProvider.class.getName());
        List<String> names = new ArrayList<>();
        for (Object p : ServiceLoader.load(layer, spi)) {
            names.add((String) spi.getMethod("name").invoke(p));
        }
        assertThat(names).containsExactly("onnx");
    }

    @Test
    void modulePath_chatTemplates_renderAndRaise() throws Exception {
        ModuleLayer.Controller controller = controller();
        ModuleLayer layer = controller.layer();
        // only so that this test may call the internal class; jinjava relies on the descriptor's own export
        controller.addExports(layer.findModule("io.el4ner.onnx").orElseThrow(), "io.el4ner.onnx.internal",
                ModulePathTest.class.getModule());
        ClassLoader loader = layer.findLoader("io.el4ner.onnx");
        Class<?> template = loader.loadClass("io.el4ner.onnx.internal.ChatTemplate");
        Class<?> message = layer.findLoader("io.el4ner.api").loadClass(ChatMessage.class.getName());
        // jinjava loads its expression parser by name through the context class loader, which on a real module
        // path is the one that loaded jinjava; here it must be set to the layer's
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Object user = message.getMethod("user", String.class).invoke(null, "hi {{ 7*7 }}");
            Object chat = template.getMethod("of", String.class, String.class, String.class).invoke(null,
                    "{% for m in messages %}{% if m.content == 'raise' %}{{ raise_exception('no ' + m.role) }}{% endif %}"
                            + "{{ bos_token }}{{ m.content }}{% endfor %}", "<s>", null);
            java.lang.reflect.Method render = template.getMethod("render", List.class, boolean.class);
            assertThat(render.invoke(chat, List.of(user), true)).isEqualTo("<s>hi {{ 7*7 }}");
            Object raise = message.getMethod("user", String.class).invoke(null, "raise");
            assertThatThrownBy(() -> render.invoke(chat, List.of(raise), true))
                    .isInstanceOf(InvocationTargetException.class)
                    .cause().hasMessage("chat template raised an error: no user");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
