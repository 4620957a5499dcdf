package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.spi.RetrieverProvider;
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

/** {@code span-sim} is registered in module-info as well as in META-INF/services (tests run on the class path). */
class SpanSimModulePathTest {

    @Test
    void load_onTheModulePath_findsSpanSim() throws Exception {
        Path[] paths = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.contains("el4ner-api") || p.contains("el4ner-core" + File.separator + "target"
                        + File.separator + "classes") || p.contains("jackson") || p.contains("slf4j-api"))
                .map(Path::of).toArray(Path[]::new);
        Configuration cf = ModuleLayer.boot().configuration()
                .resolveAndBind(ModuleFinder.of(paths), ModuleFinder.of(), Set.of("io.el4ner.core"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Class<?> spi = layer.findLoader("io.el4ner.api").loadClass(RetrieverProvider.class.getName());
        List<String> names = new ArrayList<>();
        for (Object p : ServiceLoader.load(layer, spi)) {
            names.add((String) spi.getMethod("name").invoke(p));
        }
        assertThat(names).contains("span-sim", "token-overlap");
    }
}
