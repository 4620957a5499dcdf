package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.openai.OpenAiCompatibleMemberProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The full example of CONFIG.md is a configuration the CLI accepts. */
class ConfigDocExampleTest {

    @TempDir
    Path dir;

    static String fullExample() throws IOException {
        String doc = Files.readString(Path.of("CONFIG.md"), StandardCharsets.UTF_8);
        int heading = doc.indexOf("## Full example");
        assertThat(heading).as("CONFIG.md has a 'Full example' section").isNotNegative();
        int start = doc.indexOf("```json\n", heading);
        assertThat(start).isNotNegative();
        start += "```json\n".length();
        int end = doc.indexOf("```", start);
        return doc.substring(start, end);
    }

    @Test
    void fullExampleLoads() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, fullExample(), StandardCharsets.UTF_8);

        CliConfig config = ConfigLoader.load(file);

        assertThat(config.members()).hasSize(2);
        assertThat(config.pool()).hasSize(1);
        for (CliConfig.Component member : config.members()) {
            assertThat(member.provider()).isEqualTo(OpenAiCompatibleMemberProvider.NAME);
            assertThat(OpenAiCompatibleMemberProvider.PARAMETERS).containsAll(member.parameters().keySet());
        }
    }
}
