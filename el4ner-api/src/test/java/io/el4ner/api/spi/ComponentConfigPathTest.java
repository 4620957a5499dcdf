package io.el4ner.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.El4nerConfigurationException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentConfigPathTest {
    private static final Path BASE = Path.of("/srv/el4ner/conf").toAbsolutePath();

    private static ComponentConfig config(Map<String, Object> parameters, Path base) {
        return new ComponentConfig("retriever span-sim", parameters, List.of(), List.of(), base);
    }

    @Test
    void path_relativeValue_resolvesAgainstTheBaseDirectory() {
        ComponentConfig c = config(Map.of("index", "cache/../pool.idx", "file", "/tmp/x.jsonl"), BASE);
        assertThat(c.path("index")).contains(BASE.resolve("pool.idx"));
        assertThat(c.requirePath("file")).isEqualTo(Path.of("/tmp/x.jsonl"));
        assertThat(c.path("missing")).isEmpty();
    }

    @Test
    void requirePath_noBaseDirectory_staysRelative() {
        ComponentConfig c = ComponentConfig.of("member 'm'", Map.of("file", "record.jsonl"));
        assertThat(c.baseDirectory()).isNull();
        assertThat(c.requirePath("file")).isEqualTo(Path.of("record.jsonl"));
        assertThat(new ComponentConfig("m", Map.of(), List.of(), List.of()).baseDirectory()).isNull();
    }

    @Test
    void nested_withBaseDirectory_keepsTheBaseDirectory() {
        ComponentConfig nested = config(Map.of(), BASE).nested("encoder", Map.of("directory", "models/bge"));
        assertThat(nested.component()).isEqualTo("encoder");
        assertThat(nested.path("directory")).contains(BASE.resolve("models/bge"));
    }

    @Test
    void path_badValue_throwsConfigurationErrorNamingTheParameter() {
        assertThatThrownBy(() -> config(Map.of("index", " "), BASE).path("index"))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessage("retriever span-sim: parameter 'index' must be a file path, got \"\"");
        assertThatThrownBy(() -> config(Map.of("index", 3), BASE).path("index"))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("'index' must be a string");
        assertThatThrownBy(() -> config(Map.of("index", "a\0b"), BASE).path("index"))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("'index' is not a valid path");
        assertThatThrownBy(() -> config(Map.of(), BASE).requirePath("file"))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessage("retriever span-sim: missing required parameter 'file'");
    }

    @Test
    void toString_secretsAndTokenCounts_hidesOnlyTheSecrets() {
        String shown = ComponentConfig.of("member 'm'", Map.of("apiKey", "sk-hidden-0101", "extraBody",
                Map.of("max_tokens", 1024, "auth_token", "tok-hidden-0202"))).toString();
        assertThat(shown).contains("1024").doesNotContain("sk-hidden", "tok-hidden");
    }
}
