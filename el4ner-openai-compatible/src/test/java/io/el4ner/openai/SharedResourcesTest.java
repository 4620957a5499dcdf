package io.el4ner.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.el4ner.api.ChatResponse;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Redaction;
import io.el4ner.openai.internal.SharedHttpClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, defect 11: 10,000 members used to mean 10,000 HTTP clients, each with a selector thread and a thread
 * pool, created up front ("Too many open files"). Now members share one client per connect timeout, created on the
 * first request and released by the last member to close.
 */
@Timeout(120)
class SharedResourcesTest extends LoopbackServerTest {
    private static final String CHAT = "/v1/chat/completions";
    /** 2,000 by default; {@code -Del4ner.test.members=10000} reproduces the size. */
    private static final int MEMBERS = Integer.getInteger("el4ner.test.members", 2_000);

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }

    @Test
    void chat_thousandsOfMembers_shareOneClientAndAFewThreads() throws Exception {
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES)));
        Duration connect = Duration.ofMillis(4_321); // no other test uses it: its client is this test's own
        int clientsBefore = SharedHttpClients.liveClients();
        long poolBefore = threads("el4ner-openai-");
        long selectorsBefore = threads("HttpClient-");
        int secretsBefore = Redaction.registeredCount();
        List<OpenAiCompatibleMember> members = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(16);
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < MEMBERS; i++) {
                members.add(Stubs.member(server).name("m" + i).connectTimeout(connect)
                        .extraBody(Map.of("api_key", "sk-member-" + i + "-0123456789")).build());
            }
            // at most as many: an idle pool thread left by an earlier test may end meanwhile (it did, on Temurin 25)
            assertThat(threads("el4ner-openai-")).as("no thread before the first request")
                    .isLessThanOrEqualTo(poolBefore);
            assertThat(SharedHttpClients.liveClients()).as("no client before the first request")
                    .isEqualTo(clientsBefore);
            assertThat(Redaction.registeredCount()).isEqualTo(secretsBefore + MEMBERS);

            List<Future<ChatResponse>> answers = new ArrayList<>();
            for (OpenAiCompatibleMember m : members) {
                answers.add(callers.submit(() -> m.chat(Stubs.extraction())));
            }
            for (Future<ChatResponse> f : answers) {
                assertThat(f.get().text()).isEqualTo(Stubs.ENTITIES);
            }
            long pool = threads("el4ner-openai-") - poolBefore;
            long selectors = threads("HttpClient-") - selectorsBefore;
            System.out.printf("%d members, 16 callers: %d pool threads, %d new selector threads, %d ms%n", MEMBERS,
                    pool, selectors, (System.nanoTime() - t0) / 1_000_000);
            assertThat(SharedHttpClients.liveClients()).as("one shared client").isEqualTo(clientsBefore + 1);
            assertThat(pool).as("pool threads grow with requests in flight, not members").isLessThanOrEqualTo(64);
            assertThat(selectors).as("one selector thread, not one per member").isLessThanOrEqualTo(1);
        } finally {
            callers.shutdownNow();
            members.forEach(OpenAiCompatibleMember::close);
        }
        assertThat(SharedHttpClients.liveClients()).as("released by the last member").isEqualTo(clientsBefore);
        assertThat(Redaction.registeredCount()).as("secrets forgotten on close").isEqualTo(secretsBefore);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (threads("el4ner-openai-") > poolBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(threads("el4ner-openai-")).as("the pool's threads end").isLessThanOrEqualTo(poolBefore);
        for (OpenAiCompatibleMember m : members) {
            assertThat(catchThrowable(() -> m.chat(Stubs.extraction())))
                    .isInstanceOf(NonRetriableBackendException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void close_sharedClient_abortsOnlyTheMembersOwnRequests() throws Exception {
        server.stubFor(post(urlEqualTo(CHAT)).willReturn(Stubs.okCompletion(Stubs.ENTITIES).withFixedDelay(1_500)));
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try (OpenAiCompatibleMember a = Stubs.member(server).name("a").build();
             OpenAiCompatibleMember b = Stubs.member(server).name("b").build()) {
            Future<ChatResponse> fa = callers.submit(() -> a.chat(Stubs.extraction()));
            Future<ChatResponse> fb = callers.submit(() -> b.chat(Stubs.extraction()));
            Thread.sleep(400);
            long t0 = System.nanoTime();
            a.close();
            Throwable t = catchThrowable(fa::get);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(800));
            assertThat(t).isInstanceOf(ExecutionException.class).cause().isInstanceOf(ModelMemberException.class)
                    .hasMessageContaining("closed");
            assertThat(fb.get().text()).isEqualTo(Stubs.ENTITIES);
        } finally {
            callers.shutdownNow();
        }
    }
}
