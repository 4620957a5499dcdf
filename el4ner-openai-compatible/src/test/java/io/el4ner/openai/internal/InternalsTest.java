package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Backoff, Retry-After, base URLs, the breaker's states, the re-ask check and the schema sent, without a server.
 */
class InternalsTest {
    @Test
    void backoffGrowsExponentiallyWithJitterAndIsCapped() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1_000));
        for (int i = 0; i < 200; i++) {
            assertThat(b.delayNanos(1)).isBetween(Duration.ofMillis(50).toNanos(), Duration.ofMillis(100).toNanos());
            assertThat(b.delayNanos(3)).isBetween(Duration.ofMillis(200).toNanos(), Duration.ofMillis(400).toNanos());
            assertThat(b.delayNanos(40)).isBetween(Duration.ofMillis(500).toNanos(), Duration.ofMillis(1_000).toNanos());
        }
        assertThat(new Backoff(Duration.ZERO, Duration.ZERO).delayNanos(5)).isZero();
    }

    @Test
    void retryAfterIsReadAsSecondsOrDateOrMilliseconds() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(Backoff.parseRetryAfter("3", now)).contains(Duration.ofSeconds(3).toNanos());
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(7).atOffset(ZoneOffset.UTC));
        assertThat(Backoff.parseRetryAfter(date, now)).contains(Duration.ofSeconds(7).toNanos());
        assertThat(Backoff.parseRetryAfter(DateTimeFormatter.RFC_1123_DATE_TIME.format(
                now.minusSeconds(7).atOffset(ZoneOffset.UTC)), now)).contains(0L);
        assertThat(Backoff.parseRetryAfter("soon", now)).isEmpty();
        HttpHeaders ms = HttpHeaders.of(Map.of("retry-after-ms", List.of("250"), "retry-after", List.of("9")),
                (a, b) -> true);
        assertThat(Backoff.retryAfterNanos(ms, now)).contains(Duration.ofMillis(250).toNanos());
    }

    @Test
    void baseUrlsAreNormalised() {
        assertThat(BaseUrl.parse("http://h:8000/v1/").root()).isEqualTo("http://h:8000");
        assertThat(BaseUrl.parse(" https://h/proxy/v1 ").chatCompletions().toString())
                .isEqualTo("https://h/proxy/v1/chat/completions");
        assertThat(BaseUrl.parse("http://h:11434").ollamaChat().toString()).isEqualTo("http://h:11434/api/chat");
        assertThatIllegalArgumentException().isThrownBy(() -> BaseUrl.parse("h:8000"));
        assertThatIllegalArgumentException().isThrownBy(() -> BaseUrl.parse("http://h/v1?key=x"));
    }

    @Test
    void theBreakerOpensHalfOpensAndCloses() throws InterruptedException {
        CircuitBreaker c = new CircuitBreaker(2, Duration.ofMillis(50));
        assertThat(c.tryAcquire(System.nanoTime())).isTrue();
        assertThat(c.onFailure("x")).isFalse();
        assertThat(c.onFailure("y")).isTrue();
        assertThat(c.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(c.tryAcquire(System.nanoTime())).isFalse();
        Thread.sleep(60);
        assertThat(c.tryAcquire(System.nanoTime())).as("the trial").isTrue();
        assertThat(c.tryAcquire(System.nanoTime())).as("only one trial").isFalse();
        c.release();
        assertThat(c.tryAcquire(System.nanoTime())).as("a released trial can be taken again").isTrue();
        c.onSuccess();
        assertThat(c.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        CircuitBreaker off = new CircuitBreaker(0, Duration.ofSeconds(1));
        for (int i = 0; i < 100; i++) {
            off.onFailure("z");
        }
        assertThat(off.tryAcquire(System.nanoTime())).isTrue();
    }

    @Test
    void theReaskCheckAcceptsTheStagesJsonOnly() {
        assertThat(Reasks.acceptable(Stage.EXTRACTION, "{\"entities\": []}", false)).isTrue();
        assertThat(Reasks.acceptable(Stage.EXTRACTION, " ```json\n{\"entities\": [\"a\"]}\n``` ", false)).isTrue();
        assertThat(Reasks.acceptable(Stage.EXTRACTION, "{\"labels\": []}", false)).isFalse();
        assertThat(Reasks.acceptable(Stage.CLASSIFICATION, "{\"labels\": [", false)).isFalse();
        assertThat(Reasks.acceptable(Stage.VALIDATION, "{'verdicts': []}", false)).isFalse();
        assertThat(Reasks.acceptable(Stage.VALIDATION, "true", true)).isTrue();
        assertThat(Reasks.acceptable(Stage.VALIDATION, "maybe", true)).isFalse();
        assertThat(Reasks.correction(Stage.CLASSIFICATION, false)).contains("{\"labels\": [");
    }

    /** The member sends the contract's schema parsed and written again by Jackson: the same text, byte for byte. */
    @Test
    void theSchemaSentIsTheContractsText() throws Exception {
        List<EntityType> types = List.of(EntityType.of("PER"), EntityType.of("a \"q\" \\ /type\u0001"),
                EntityType.of("\u4eba\u7269 \ud83d\ude00"));
        for (Stage stage : Stage.values()) {
            AnswerContract c = AnswerContract.of(new TaskContext(stage, "s", types, List.of(),
                    List.of("x\ty", "\u00e9\u0301"), List.of(new TypedSpan("a\nb", "PER"))));
            assertThat(Json.MAPPER.writeValueAsString(Json.MAPPER.readTree(c.jsonSchema()))).isEqualTo(c.jsonSchema());
        }
    }
}
