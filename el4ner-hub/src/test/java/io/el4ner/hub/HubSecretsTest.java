package io.el4ner.hub;

import io.el4ner.hub.testing.LoopbackHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.el4ner.hub.Fixtures.CONFIG;
import static io.el4ner.hub.Fixtures.MODEL;
import static io.el4ner.hub.Fixtures.MODEL_BYTES;
import static io.el4ner.hub.Fixtures.REPO;
import static io.el4ner.hub.Fixtures.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class HubSecretsTest {
    private static final String TOKEN = "hf_verySecretLoopbackToken42";
    private static final String WRONG = "hf_wrongButStillSecretToken7";

    @TempDir
    Path cache;

    private final LoopbackHub hub = Fixtures.hub();

    @AfterEach
    void close() {
        hub.close();
    }

    @Test
    void download_gatedWithToken_sendsBearerToTheHubOnly() {
        hub.repo(REPO).gated(TOKEN);
        try (HubClient client = client(hub, cache).token(TOKEN).build()) {
            assertThat(client.download(REPO, "main", MODEL)).hasBinaryContent(MODEL_BYTES);

            List<LoopbackHub.Request> seen = hub.requests();
            assertThat(seen).filteredOn(r -> r.server().equals("hub")).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN));
            assertThat(seen).filteredOn(r -> r.server().equals("cdn")).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.authorization()).isNull());
            assertThat(client.toString()).doesNotContain(TOKEN).contains(hub.endpoint().toString())
                    .contains(cache.toString());
        }
    }

    @Test
    void download_wrongToken_neverShown() {
        hub.repo(REPO).gated(TOKEN);
        hub.failNextRequests(1); // a retry, so that there is a log line about this download
        try (HubClient client = client(hub, cache).token(WRONG).retries(1).build()) {
            HubException[] error = new HubException[1];
            String log = LogCapture.during(() ->
                    error[0] = catchThrowableOfType(HubException.class, () -> client.download(REPO, "main", CONFIG)));

            assertThat(error[0].reason()).isEqualTo(HubException.Reason.TOKEN_NEEDED);
            assertThat(error[0].getMessage()).contains("HF_TOKEN").doesNotContain(WRONG);
            assertThat(String.valueOf(error[0])).doesNotContain(WRONG);
            assertThat(log).contains("Trying").doesNotContain(WRONG);
            assertThat(client.toString()).doesNotContain(WRONG).contains("token=set");
        }
    }

    @Test
    void download_cdnUrlSignature_notInMessages() {
        hub.fault(MODEL, LoopbackHub.Fault.STATUS_500);
        hub.fault(MODEL, LoopbackHub.Fault.STATUS_500);
        try (HubClient client = client(hub, cache).retries(1).build()) {
            HubException e = catchThrowableOfType(HubException.class, () -> client.download(REPO, "main", MODEL));

            assertThat(e.getMessage()).contains(hub.cdn().toString()).doesNotContain("X-Amz-Signature")
                    .doesNotContain("s3cr3t");
        }
    }
}
