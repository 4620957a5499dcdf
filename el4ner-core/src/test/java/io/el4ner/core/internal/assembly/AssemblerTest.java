package io.el4ner.core.internal.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Stage;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.AggregatorProvider;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.LabelDecision;
import io.el4ner.api.spi.SpanProposal;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.ScriptedMember;
import io.el4ner.core.ValidationMode;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AssemblerTest {
    static final AtomicInteger CLOSED = new AtomicInteger();

    /** Makes aggregators that count their closing. */
    public static final class ClosingAggregatorProvider implements AggregatorProvider {
        @Override
        public String name() {
            return "closing-for-assembler-test";
        }

        @Override
        public Aggregator create(ComponentConfig config) {
            return new Aggregator() {
                @Override
                public List<SpanProposal> selectSpans(List<SpanProposal> proposals, List<String> members) {
                    return proposals;
                }

                @Override
                public LabelDecision vote(String span, Map<String, String> labels, List<String> members) {
                    return new LabelDecision(labels.values().iterator().next(), 1.0, true);
                }

                @Override
                public void close() {
                    CLOSED.incrementAndGet();
                }
            };
        }
    }

    @Test
    void assemble_providerMadeAggregator_closedWithTheEnsemble(@TempDir Path dir) throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(AggregatorProvider.class.getName()),
                ClosingAggregatorProvider.class.getName() + "\n");
        ScriptedMember a = new ScriptedMember("a").on(Stage.EXTRACTION, "{\"entities\": []}");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                AssemblerTest.class.getClassLoader())) {
            EnsembleNer ner = EnsembleNer.builder().classLoader(loader).entityType("PER", "people").member(a)
                    .aggregator("closing-for-assembler-test", Map.of()).validation(ValidationMode.NONE).build();
            int before = CLOSED.get();

            ner.close();

            assertThat(CLOSED.get()).isEqualTo(before + 1);
        }
    }
}
