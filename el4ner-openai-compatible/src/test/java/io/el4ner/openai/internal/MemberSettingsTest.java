package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Stage;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** A member's settings: checked as set, checked together and frozen when resolved. */
class MemberSettingsTest {
    private static MemberSettings minimal() {
        MemberSettings s = new MemberSettings();
        s.model("m");
        s.baseUrl("http://127.0.0.1:8000/v1");
        return s;
    }

    @Test
    void resolve_withoutName_namesTheMemberAfterTheModelAndLeavesTheSettingsAsTheyWere() {
        MemberSettings s = minimal();
        MemberSettings r = s.resolve();
        assertThat(r.name()).isEqualTo("m");
        assertThat(s.name()).isNull();
        s.maxTokens(null, 7);
        assertThat(r.decoding(Stage.EXTRACTION, GenerationOptions.greedyJson(99)).maxTokens()).isEqualTo(99);
    }

    @Test
    void resolve_sameBaseUrlTwice_isRefused() {
        MemberSettings s = minimal();
        s.baseUrl("http://127.0.0.1:8000");
        assertThatIllegalArgumentException().isThrownBy(s::resolve).withMessageContaining("twice");
    }

    @Test
    void resolve_missingModelOrKeyGivenTwice_isRefused() {
        MemberSettings noModel = new MemberSettings();
        noModel.baseUrl("http://h");
        assertThatIllegalStateException().isThrownBy(noModel::resolve).withMessage("the model is required");
        MemberSettings both = minimal();
        both.apiKey("k-123456789");
        both.apiKeyEnv("K");
        assertThatIllegalStateException().isThrownBy(both::resolve).withMessageContaining("not both");
    }

    @Test
    void resolve_unsetKeyVariable_throwsConfigurationError() {
        MemberSettings s = minimal();
        s.apiKeyEnv("MISSING_KEY");
        s.environment(Map.<String, String>of()::get);
        Assertions.assertThatThrownBy(s::resolve).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("MISSING_KEY");
    }

    @Test
    void decoding_stageSettings_winOverMemberAndRequest() {
        MemberSettings s = minimal();
        s.maxTokens(null, 100);
        s.maxTokens(Stage.VALIDATION, 10);
        s.temperature(0.5);
        MemberSettings r = s.resolve();
        GenerationOptions request = GenerationOptions.greedyJson(999);
        assertThat(r.decoding(Stage.VALIDATION, request).maxTokens()).isEqualTo(10);
        assertThat(r.decoding(Stage.EXTRACTION, request).maxTokens()).isEqualTo(100);
        assertThat(r.decoding(Stage.EXTRACTION, request).temperature()).isEqualTo(0.5);
        s.callTimeout(Stage.EXTRACTION, Duration.ofSeconds(3));
        assertThat(s.resolve().callTimeout(Stage.EXTRACTION)).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.resolve().callTimeout(Stage.CLASSIFICATION)).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void setters_badValues_areRefusedNamingTheSetting() {
        MemberSettings s = new MemberSettings();
        assertThatIllegalArgumentException().isThrownBy(() -> s.maxAttempts(0)).withMessageContaining("maxAttempts");
        assertThatIllegalArgumentException().isThrownBy(() -> s.extraBody(Map.of("stream", true)))
                .withMessageContaining("'stream'");
        assertThatIllegalArgumentException().isThrownBy(() -> s.retryDelays(Duration.ofSeconds(2),
                Duration.ofSeconds(1))).withMessageContaining("0 <= base <= max");
    }
}
