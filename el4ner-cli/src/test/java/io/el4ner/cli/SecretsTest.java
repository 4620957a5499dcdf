package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.NerResult;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.api.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, defects 5 and 7 at the CLI: credentials inside URLs anywhere in a configuration, and the value of the
 * variable {@code apiKeyEnv} names, are masked in what the CLI prints, diagnostics included; the variable's name is
 * not.
 */
class SecretsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void in_keyInBaseUrl_notPrintedInTheConfigurationError() throws IOException {
        String key = "sk-query-key-in-base-url-3141";
        for (String url : List.of("http://127.0.0.1:8000/v1?api_key=" + key,
                "http://user:" + key + "@127.0.0.1:8000/v1",
                "http://user:" + key + " with a space@127.0.0.1:8000/v1",
                "http://user:ab/" + key + "@127.0.0.1:8000/v1",
                "http://user:hunt@" + key + "@127.0.0.1:8000/v1")) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("provider", "openai-compatible");
            member.put("name", "remote");
            member.put("parameters", Map.of("baseUrl", url, "model", "m"));
            Path config = dir.resolve("config.json");
            Files.writeString(config, JSON.writeValueAsString(MainFixtures.config(member)), StandardCharsets.UTF_8);
            MainFixtures.Run r = MainFixtures.run("recognize", "--config", config.toString(), "--text", "Alice flew.");
            assertThat(r.exit()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).contains("127.0.0.1:8000");
            assertThat(r.out() + r.err()).doesNotContain("sk-query");
        }
    }

    @Test
    void in_urlCredentialsAndSecretQueryValues_areSecret() {
        Secrets s = Secrets.in(JSON.valueToTree(Map.of("members", List.of(Map.of("parameters", Map.of(
                "baseUrl", "http://127.0.0.1:8000/v1?api_key=sk-in-query-0011&x=keep",
                "baseUrls", List.of("https://alice:pa%24%24word42@gpu1:8080/v1", "http://gpu2/v1#token=frag-tok-77"),
                "model", "qwen-7b"))))), Map.<String, String>of()::get);
        String shown = s.mask("got 'http://127.0.0.1:8000/v1?api_key=sk-in-query-0011&x=keep', "
                + "https://alice:pa%24%24word42@gpu1:8080/v1 (alice:pa$$word42), frag-tok-77 for qwen-7b");
        assertThat(shown).doesNotContain("sk-in-query", "pa%24", "pa$$", "frag-tok").contains("x=keep", "qwen-7b",
                "gpu1:8080");
    }

    @Test
    void in_apiKeyEnv_variableNameShownItsValueSecret() {
        String value = "sk-from-the-environment-4455";
        Secrets s = Secrets.in(JSON.valueToTree(Map.of("members", List.of(Map.of("parameters", Map.of(
                "apiKeyEnv", "MY_PROVIDER_KEY", "model", "m"))))), Map.of("MY_PROVIDER_KEY", value)::get);
        assertThat(s.mask("the key in MY_PROVIDER_KEY was rejected: Bearer " + value))
                .isEqualTo("the key in MY_PROVIDER_KEY was rejected: Bearer ****");
        assertThat(Redaction.redact("echo " + value)).as("registered for the run").isEqualTo("echo ****");
    }

    @Test
    void render_diagnostics_areMasked() {
        String key = "sk-echoed-in-an-answer-9988";
        Secrets s = Secrets.in(JSON.valueToTree(Map.of("members", List.of(Map.of("parameters", Map.of(
                "apiKeyEnv", "ECHO_KEY", "model", "m"))))), Map.of("ECHO_KEY", key)::get);
        NerResult result = new NerResult("text", List.of(), List.of(new Diagnostic(Diagnostic.Kind.UNPARSEABLE_OUTPUT,
                Stage.EXTRACTION, "m", "no JSON", "I was called with Authorization: Bearer " + key)),
                Usage.NONE);
        String out = new String(ResultJson.render(result, false, false, s), StandardCharsets.UTF_8);
        assertThat(out).contains("Bearer ****").doesNotContain("sk-echoed");
    }

    @Test
    void in_passwordWithSlashesOrAtSigns_isSecretWhole() {
        Secrets s = Secrets.in(JSON.valueToTree(Map.of("members", List.of(Map.of("parameters", Map.of(
                "baseUrls", List.of("http://bob:ab/cd1234@gpu1:8000/v1", "http://bob:hunt@er2xyz@gpu2/v1"),
                "model", "m"))))), Map.<String, String>of()::get);
        assertThat(s.mask("ab/cd1234, hunt@er2xyz, bob:hunt@er2xyz")).isEqualTo("****, ****, ****");
    }

    @Test
    void in_numbersBooleansAndTokenCounts_areNotSecrets() {
        Secrets s = Secrets.in(JSON.valueToTree(Map.of("members", List.of(Map.of("name", "qwen-1024",
                "parameters", Map.of("model", "qwen-1024", "apiKey", "sk-beside-the-settings-6161",
                        "extraBody", Map.of("skip_special_tokens", true, "max_tokens", 1024,
                                "max_new_tokens", "2048", "auth", Map.of("token", 31415926))))))),
                Map.<String, String>of()::get);
        String text = "{\"valid\": true} from qwen-1024, max 2048, 31415926, key sk-beside-the-settings-6161";
        String expected = "{\"valid\": true} from qwen-1024, max 2048, 31415926, key ****";
        assertThat(s.mask(text)).isEqualTo(expected);
        assertThat(Redaction.redact(text)).isEqualTo(expected);
    }
}
