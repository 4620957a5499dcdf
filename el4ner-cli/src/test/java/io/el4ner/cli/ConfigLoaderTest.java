package io.el4ner.cli;

import static io.el4ner.cli.MainFixtures.aliceMember;
import static io.el4ner.cli.MainFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the loader leaves to {@code build()}: reported once, by {@code build()}, prefixed with the file. */
class ConfigLoaderTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private Path write(Object config) throws IOException {
        Path p = dir.resolve("config.json");
        Files.writeString(p, JSON.writeValueAsString(config), StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void load_duplicateMemberNames_leavesThemToBuild() throws IOException {
        Path p = write(config(aliceMember("m1"), aliceMember("m1")));
        assertThat(ConfigLoader.load(p).members()).hasSize(2);
        MainFixtures.Run r = MainFixtures.run("recognize", "--config", p.toString(), "--text", "Alice");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("error: " + p + ": two members are named 'm1'; member names must be unique");
        assertThat(r.err().split("m1'", -1)).hasSize(2);
    }

    @Test
    void load_noMembersOrEntityTypes_leavesThemToBuild() throws IOException {
        Map<String, Object> c = config();
        c.put("entityTypes", List.of());
        Path p = write(c);
        CliConfig loaded = ConfigLoader.load(p);
        assertThat(loaded.members()).isEmpty();
        assertThat(loaded.types()).isEmpty();
        MainFixtures.Run r = MainFixtures.run("recognize", "--config", p.toString(), "--text", "Alice");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("error: " + p + ": no entity types")
                .contains("error: " + p + ": no members");
    }

    @Test
    void load_reservedOrRepeatedTypeName_leavesThemToBuild() throws IOException {
        Map<String, Object> c = config(aliceMember("m1"));
        c.put("entityTypes", List.of(Map.of("name", "person"), Map.of("name", "person"), Map.of("name", "none")));
        Path p = write(c);
        assertThat(ConfigLoader.load(p).types()).hasSize(3);
        MainFixtures.Run r = MainFixtures.run("recognize", "--config", p.toString(), "--text", "Alice");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("error: " + p + ": entity type 'person' is given twice")
                .contains("error: " + p + ": entity type 'none' is reserved for 'not an entity'");
    }
}
