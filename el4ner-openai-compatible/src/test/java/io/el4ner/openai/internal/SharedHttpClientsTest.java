package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.EntityType;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.openai.Flavor;
import io.el4ner.openai.OpenAiCompatibleMember;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A lease asked for its client while its member closes: the last holder used to release the shared entry between
 * the lease's check and the client's creation, and a new client and thread pool were then built on an entry no
 * longer in the map, with no holder left to release them.
 */
class SharedHttpClientsTest {
    @AfterEach
    void noHook() {
        SharedHttpClients.beforeSharedClient = null;
    }

    @Test
    void client_afterTheLastHolderReleasedIt_isNotBuiltAgain() {
        Duration connect = Duration.ofMillis(6_173); // this test's own entry
        int before = SharedHttpClients.liveClients();
        SharedHttpClients.Lease lease = SharedHttpClients.lease(connect);
        SharedHttpClients.beforeSharedClient = lease::close; // the member closes right after the check
        Throwable t = catchThrowable(lease::client);
        assertThat(t).isInstanceOf(SharedHttpClients.ReleasedException.class).hasMessageContaining("closed");
        assertThat(SharedHttpClients.liveClients()).isEqualTo(before);
        SharedHttpClients.beforeSharedClient = null;
        assertThat(catchThrowable(lease::client)).isInstanceOf(SharedHttpClients.ReleasedException.class);
    }

    @Test
    void close_anotherHolder_keepsTheClientAndALaterLeaseGetsANewOne() {
        Duration connect = Duration.ofMillis(6_174);
        SharedHttpClients.Lease a = SharedHttpClients.lease(connect);
        SharedHttpClients.Lease b = SharedHttpClients.lease(connect);
        SharedHttpClients.beforeSharedClient = a::close; // not the last holder: nothing is released
        assertThat(b.client()).isNotNull();
        SharedHttpClients.beforeSharedClient = null;
        b.close();
        try (SharedHttpClients.Lease c = SharedHttpClients.lease(connect)) {
            assertThat(c.client()).isNotNull();
        }
    }

    @Test
    void chat_memberClosedAsItsRequestStarts_saysItIsClosed() {
        Duration connect = Duration.ofMillis(6_175);
        int before = SharedHttpClients.liveClients();
        OpenAiCompatibleMember m = OpenAiCompatibleMember.builder().name("closing").model("m")
                .baseUrl("http://127.0.0.1:1/v1").flavor(Flavor.OPENAI).connectTimeout(connect).maxAttempts(1)
                .build();
        SharedHttpClients.beforeSharedClient = m::close;
        String sentence = "Ada flew.";
        Throwable t = catchThrowable(() -> m.chat(new ChatRequest(List.of(ChatMessage.user(sentence)),
                GenerationOptions.greedyJson(16), new TaskContext(Stage.EXTRACTION, sentence,
                List.of(new EntityType("PER", "person")), List.of(), List.of(), List.of()))));
        assertThat(t).isInstanceOf(NonRetriableBackendException.class).hasMessage("member 'closing' is closed");
        assertThat(SharedHttpClients.liveClients()).isEqualTo(before);
    }
}
