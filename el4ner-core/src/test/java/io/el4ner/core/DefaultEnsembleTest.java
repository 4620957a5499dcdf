package io.el4ner.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.EntityType;
import io.el4ner.api.LabeledSpan;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DefaultEnsembleTest {
    private static final Set<String> TYPES = Set.of("person", "location", "organization", "miscellaneous");

    @Test
    void members_threeModelsOfDifferentRepositoriesWithTheirFiles() {
        List<DefaultEnsemble.Member> members = DefaultEnsemble.members();
        assertThat(members).hasSize(3);
        assertThat(members).extracting(DefaultEnsemble.Member::name).doesNotHaveDuplicates();
        assertThat(members).extracting(DefaultEnsemble.Member::repo).doesNotHaveDuplicates()
                .allMatch(r -> r.matches("[\\w.-]+/[\\w.-]+"));
        assertThat(members).allSatisfy(m -> {
            assertThat(m.files()).extracting(DefaultEnsemble.ModelFile::path)
                    .contains("config.json", "tokenizer.json", "tokenizer_config.json", "onnx/" + m.variant() + ".onnx");
            assertThat(m.parameters()).containsEntry("repo", m.repo()).containsEntry("revision", m.revision())
                    .containsEntry("variant", m.variant()).containsEntry("name", m.name())
                    .doesNotContainKey("directory");
            assertThat(m.pinned()).isEqualTo(m.revision().matches("[0-9a-f]{40}"));
        });
    }

    @Test
    void entityTypes_theFourDefaultTypesWithDescriptions() {
        assertThat(DefaultEnsemble.entityTypes()).extracting(EntityType::name)
                .containsExactly("person", "location", "organization", "miscellaneous");
        assertThat(DefaultEnsemble.entityTypes()).allSatisfy(t -> assertThat(t.description()).isNotBlank());
    }

    @Test
    void demonstrations_bundledPool_spansCoverTheirTextAndEveryType() {
        List<Demonstration> pool = DefaultEnsemble.demonstrations();
        assertThat(pool).hasSizeBetween(30, 60);
        for (Demonstration d : pool) {
            assertThat(d.text()).doesNotContain("[", "](").isEqualTo(d.text().strip());
            for (LabeledSpan s : d.spans()) {
                assertThat(TYPES).contains(s.type());
                String span = d.text().substring(s.start(), s.end());
                assertThat(span).isEqualTo(span.strip()).isNotEmpty();
            }
        }
        assertThat(pool.stream().flatMap(d -> d.spans().stream()).map(LabeledSpan::type).collect(Collectors.toSet()))
                .isEqualTo(TYPES);
        assertThat(pool).anyMatch(d -> d.spans().isEmpty());
    }

    @Test
    void parse_markedSpans_becomeOffsetsIntoThePlainText() {
        List<Demonstration> d = DefaultEnsemble.parse("# a comment\n\n[Tim Cook](person) visited [Berlin](location).\n");
        assertThat(d).containsExactly(new Demonstration("Tim Cook visited Berlin.",
                List.of(new LabeledSpan(0, 8, "person"), new LabeledSpan(17, 23, "location"))));
    }

    @Test
    void defaultEnsemble_withoutTheOnnxModule_buildFailsNamingTheMissingProvider() {
        El4nerConfigurationException e = catchThrowableOfType(() -> EnsembleNer.builder().defaultEnsemble().build(),
                El4nerConfigurationException.class);
        assertThat(e).isNotNull();
        assertThat(String.join("\n", e.problems())).contains("no ModelMemberProvider named 'onnx'")
                .contains("Add the jar that provides it");
    }
}
