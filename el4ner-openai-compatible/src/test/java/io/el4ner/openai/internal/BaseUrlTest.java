package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** Base URLs: normalised to the server root, the endpoints built from it, bad ones refused. */
class BaseUrlTest {
    @Test
    void parse_baseUrls_areNormalised() {
        assertThat(BaseUrl.parse("http://h:8000/v1/").root()).isEqualTo("http://h:8000");
        assertThat(BaseUrl.parse(" https://h/proxy/v1 ").chatCompletions().toString())
                .isEqualTo("https://h/proxy/v1/chat/completions");
        assertThat(BaseUrl.parse("http://h:11434").ollamaChat().toString()).isEqualTo("http://h:11434/api/chat");
        assertThatIllegalArgumentException().isThrownBy(() -> BaseUrl.parse("h:8000"));
        assertThatIllegalArgumentException().isThrownBy(() -> BaseUrl.parse("http://h/v1?key=x"));
    }
}
