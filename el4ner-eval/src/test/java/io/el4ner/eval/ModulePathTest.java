package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.spi.ModelMemberProvider;
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
 * Resolves io.el4ner.eval and its dependencies as real modules (tests otherwise run on the class path) and checks
 * that it exports only its API and provides the evaluation members through {@code provides}.
 */
class ModulePathTest {

    @Test
    void resolve_modulePath_exportsApiAndProvidesEvaluationMembers() throws ReflectiveOperationException {
        Path[] paths = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.contains("el4ner-api") || p.contains("el4ner-core")
                        || p.contains("el4ner-eval" + File.separator + "target" + File.separator + "classes")
                        || p.contains("jackson") || p.contains("slf4j-api"))
                .filter(p -> !p.contains("test-classes"))
                .map(Path::of).toArray(Path[]::new);
        Configuration cf = ModuleLayer.boot().configuration()
                .resolveAndBind(ModuleFinder.of(paths), ModuleFinder.of(), Set.of("io.el4ner.eval"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        assertThat(layer.findModule("io.el4ner.eval").orElseThrow().getDescriptor().exports())
                .extracting(e -> e.source()).containsExactly("io.el4ner.eval");
        assertThat(layer.findModule("io.el4ner.core").orElseThrow().getDescriptor().exports())
                .extracting(e -> e.source()).containsExactly("io.el4ner.core");

        Class<?> spi = layer.findLoader("io.el4ner.api").loadClass(ModelMemberProvider.class.getName());
        List<String> names = new ArrayList<>();
        for (Object p : ServiceLoader.load(layer, spi)) {
            names.add((String) spi.getMethod("name").invoke(p));
        }
        assertThat(names).contains("replay-predictions", "simulated", "record-replay");
    }
}
