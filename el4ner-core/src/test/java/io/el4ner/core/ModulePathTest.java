package io.el4ner.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.spi.AggregatorProvider;
import io.el4ner.api.spi.RetrieverProvider;
import io.el4ner.api.spi.ValidatorProvider;
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
 * Resolves io.el4ner.core and its dependencies as real modules (tests otherwise run on the class path) and checks
 * that its module descriptor resolves and that the built-in providers are found through {@code provides}.
 */
class ModulePathTest {

    @Test
    void resolveAndBind_coreOnTheModulePath_exportsAndProvidesItsBuiltIns() {
        Path[] paths = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.contains("el4ner-api") || p.contains("el4ner-core" + File.separator + "target"
                        + File.separator + "classes") || p.contains("jackson") || p.contains("slf4j-api"))
                .map(Path::of).toArray(Path[]::new);
        ModuleFinder finder = ModuleFinder.of(paths);
        Configuration cf = ModuleLayer.boot().configuration()
                .resolveAndBind(finder, ModuleFinder.of(), Set.of("io.el4ner.core"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        assertThat(layer.findModule("io.el4ner.core")).isPresent();
        assertThat(layer.findModule("io.el4ner.core").orElseThrow().getDescriptor().exports())
                .extracting(e -> e.source()).containsExactly("io.el4ner.core");

        Class<?> retrieverSpi = load(layer, RetrieverProvider.class);
        assertThat(names(layer, retrieverSpi)).contains("token-overlap");
        assertThat(names(layer, load(layer, AggregatorProvider.class))).contains("voting");
        assertThat(names(layer, load(layer, ValidatorProvider.class))).contains("self");
    }

    private static Class<?> load(ModuleLayer layer, Class<?> spi) {
        try {
            return layer.findLoader("io.el4ner.api").loadClass(spi.getName());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> names(ModuleLayer layer, Class<?> spi) {
        List<String> out = new ArrayList<>();
        for (Object p : ServiceLoader.load(layer, spi)) {
            try {
                out.add((String) spi.getMethod("name").invoke(p));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

}
