package io.el4ner.hub.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.hub.HubException;
import io.el4ner.hub.HubProgress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubHttpTest {
    private static final URI HUB = URI.create("http://127.0.0.1:1");
    private static final Target TARGET = new Target("org/model", "main", "config.json",
            URI.create("http://127.0.0.1:1/org/model/resolve/main/config.json"));

    @TempDir
    Path dir;

    private HubHttp hub(String token) {
        return new HubHttp(new Downloader.Settings(HUB, token, new CacheLayout(dir, true), false, 0, Duration.ZERO,
                Duration.ofSeconds(1), HubProgress.NONE, OutputOpener.FILES), HttpClient.newHttpClient());
    }

    private static HttpHeaders headers(Map<String, String> values) {
        return HttpHeaders.of(values.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> List.of(e.getValue()))), (k, v) -> true);
    }

    @Test
    void display_signedCdnUrl_dropsQueryAndUserInfo() {
        assertThat(HubHttp.display(URI.create("https://user:pw@cdn.example/blob/abc?X-Amz-Signature=s3cret")))
                .isEqualTo("https://cdn.example/blob/abc");
    }

    @Test
    void request_tokenGoesToTheEndpointOnly() {
        HubHttp h = hub("hf_token1234");
        assertThat(h.request(TARGET.url()).build().headers().firstValue("Authorization"))
                .hasValue("Bearer hf_token1234");
        assertThat(h.request(URI.create("https://cdn.example/blob")).build().headers().firstValue("Authorization"))
                .isEmpty();
    }

    @Test
    void statusFailure_serverError_isRetriable() {
        assertThatThrownBy(() -> hub(null).statusFailure(TARGET, 503, headers(Map.of()), TARGET.url()))
                .isInstanceOf(HubHttp.Retriable.class).hasMessageContaining("HTTP 503");
    }

    @Test
    void statusFailure_hubErrorCode_namesWhatIsMissing() throws Exception {
        HubException e = hub(null).statusFailure(TARGET, 404, headers(Map.of("x-error-code", "RevisionNotFound")),
                TARGET.url());
        assertThat(e.reason()).isEqualTo(HubException.Reason.REVISION_NOT_FOUND);
        assertThat(e.getMessage()).contains("No revision main in repo org/model");
    }

    @Test
    void statusFailure_cdnRefuses_isNotBlamedOnTheToken() throws Exception {
        HubException e = hub("hf_token1234").statusFailure(TARGET, 403, headers(Map.of()),
                URI.create("https://cdn.example/blob?sig=1"));
        assertThat(e.reason()).isEqualTo(HubException.Reason.PROTOCOL);
        assertThat(e.getMessage()).contains("https://cdn.example/blob").doesNotContain("sig=1")
                .doesNotContain("token");
    }
}
