package io.el4ner.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.EntityType;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ModelMember} must meet. Extend it in a concrete test class, implement
 * {@link #member()}, and override the hooks that describe what your member can do; the tests for capabilities it
 * does not declare are skipped with a JUnit assumption.
 *
 * <p>Each check is also a {@code protected final} method taking the member to check (for example
 * {@link #checkFailureMapping(ModelMember)}), so that a test can run one check on a member of its choice.
 *
 * <p>The kit never closes what {@link #member()} returns, except in the close test, which closes
 * {@link #closeableMember()}. It closes every member that {@link #failingMember()} and
 * {@link #slowMember(Duration)} return once it is done with it.
 *
 * @since 0.1
 */
public abstract class ModelMemberContractTest {
    private static final String SENTENCE = "Angela Merkel visited Paris.";

    /** Creates the kit; concrete subclasses are instantiated by JUnit. */
    protected ModelMemberContractTest() {
    }

    /**
     * The member under test, in a working configuration. Called at least once per test, and possibly several
     * times in one test: return either a fresh member each time (all with the same name) or one shared instance.
     * If you share one instance, override {@link #closeableMember()}.
     *
     * @return the member under test
     */
    protected abstract ModelMember member();

    /**
     * A member that the close test may close twice. The default returns {@link #member()}; override it when that
     * method returns a shared instance that later tests still need.
     *
     * @return a member the kit may close
     */
    protected ModelMember closeableMember() {
        return member();
    }

    /**
     * The request the tests send: by default a small greedy JSON extraction request for "Angela Merkel visited
     * Paris." with the types PER and LOC, in both prompt and structured form.
     *
     * @return a request the member can answer
     */
    protected ChatRequest sampleRequest() {
        List<EntityType> types = List.of(new EntityType("PER", "person"), new EntityType("LOC", "location"));
        TaskContext context = new TaskContext(Stage.EXTRACTION, SENTENCE, types, List.of(), List.of(), List.of());
        return new ChatRequest(List.of(
                ChatMessage.system("You extract named entities of the types PER (person) and LOC (location). "
                        + "Answer with JSON only: {\"entities\": [{\"text\": \"...\", \"type\": \"...\"}]}."),
                ChatMessage.user("Sentence: " + SENTENCE)),
                GenerationOptions.greedyJson(128), context);
    }

    /**
     * Whether the member reports token usage. When true, every answer must carry reported usage with a positive
     * prompt token count; when false, it may carry {@link TokenUsage#UNREPORTED}.
     *
     * @return whether usage is reported; default true
     */
    protected boolean reportsUsage() {
        return true;
    }

    /**
     * Whether the member answers the same request at temperature 0 with the same text. Enables the determinism
     * test and the identical-text check of the concurrency test.
     *
     * @return whether greedy decoding is deterministic; default true
     */
    protected boolean deterministicAtTemperatureZero() {
        return true;
    }

    /**
     * A member configured to fail, for example one pointing at a dead backend or one whose backend rejects its
     * credentials. Enables the failure-mapping tests.
     *
     * @return the failing member, or empty (the default) to skip those tests
     */
    protected Optional<ModelMember> failingMember() {
        return Optional.empty();
    }

    /**
     * A member whose backend takes at least {@code atLeast} to answer and whose own deadline is
     * {@link #callTimeout()}, for example one pointing at a stub server that delays its answers. Enables the
     * timeout test.
     *
     * @param atLeast how long the backend should take to answer; longer than {@link #callTimeout()}
     * @return the slow member, or empty (the default) to skip the timeout test
     */
    protected Optional<ModelMember> slowMember(Duration atLeast) {
        return Optional.empty();
    }

    /**
     * The deadline the member applies to one call: a call to {@link #slowMember(Duration)} must end within it
     * plus {@link #timeoutSlack()}, and each call of the concurrency test within ten times that sum.
     *
     * @return the member's call deadline; default 10 seconds
     */
    protected Duration callTimeout() {
        return Duration.ofSeconds(10);
    }

    /**
     * How much longer than {@link #callTimeout()} a call may take before the kit calls it hung.
     *
     * @return the tolerance; default one second plus half of {@link #callTimeout()}
     */
    protected Duration timeoutSlack() {
        return Duration.ofSeconds(1).plus(callTimeout().dividedBy(2));
    }

    /**
     * A secret the member is configured with, such as its API key, that must never appear in exception messages
     * or in {@code toString()}.
     *
     * @return the secret, or empty (the default) to skip the secret checks
     */
    protected Optional<String> secret() {
        return Optional.empty();
    }

    /**
     * How many calls the concurrency test makes at once, each from its own thread.
     *
     * @return the number of concurrent calls; default 8
     */
    protected int concurrentCalls() {
        return 8;
    }

    @Test
    @DisplayName("name() is non-blank, has no surrounding whitespace and does not change")
    void nameIsWellFormedAndStable() {
        checkNaming(member());
    }

    @Test
    @DisplayName("chat() answers the sample request with text and usage")
    void answersWithTextAndUsage() {
        checkAnswers(member());
    }

    @Test
    @DisplayName("chat() gives the same text for the same request at temperature 0")
    void isDeterministicAtTemperatureZero() {
        assumeTrue(deterministicAtTemperatureZero(), "the member is not deterministic at temperature 0");
        checkDeterminism(member());
    }

    @Test
    @DisplayName("chat() rejects a null request with a NullPointerException")
    void rejectsNullRequest() {
        checkRejectsNullRequest(member());
    }

    @Test
    @DisplayName("chat() answers concurrent calls from several threads")
    void answersConcurrentCalls() {
        checkConcurrentCalls(member());
    }

    @Test
    @DisplayName("a failing backend gives a ModelMemberException that names the member and hides the secret")
    void failureIsMappedToModelMemberException() {
        Optional<ModelMember> failing = failingMember();
        assumeTrue(failing.isPresent(), "no failing member configured");
        try (ModelMember m = failing.get()) {
            checkFailureMapping(m);
        }
    }

    @Test
    @DisplayName("a slow backend gives an answer or a retriable ModelMemberException within the call timeout")
    void slowBackendRespectsTimeout() {
        Optional<ModelMember> slow = slowMember(callTimeout().multipliedBy(3));
        assumeTrue(slow.isPresent(), "no slow member configured");
        try (ModelMember m = slow.get()) {
            checkTimeout(m);
        }
    }

    @Test
    @DisplayName("toString() does not show the secret")
    void toStringHidesSecret() {
        Optional<String> secret = secret();
        assumeTrue(secret.isPresent(), "no secret configured");
        assertThat(String.valueOf(member())).as("toString() of the member").doesNotContain(secret.get());
    }

    @Test
    @DisplayName("close() can be called twice")
    void closeCanBeRepeated() {
        checkRepeatableClose(closeableMember());
    }

    @Test
    @DisplayName("estimateTokens() is non-negative and grows with the text; contextTokens() is positive")
    void tokenEstimatesAreSane() {
        checkTokenEstimates(member());
    }

    /**
     * Checks that the member's name is non-blank, has no surrounding whitespace, and is the same on every call and
     * for every member {@link #member()} returns.
     *
     * @param member the member to check
     */
    protected final void checkNaming(ModelMember member) {
        String name = member.name();
        assertThat(name).as("name()").isNotBlank();
        assertThat(name).as("name() without surrounding whitespace").isEqualTo(name.strip());
        assertThat(member.name()).as("name() called again").isEqualTo(name);
        assertThat(member().name()).as("name() of another member()").isEqualTo(name);
    }

    /**
     * Checks that the member answers {@link #sampleRequest()} with text and usage as {@link #reportsUsage()}
     * declares.
     *
     * @param member the member to check
     */
    protected final void checkAnswers(ModelMember member) {
        ChatResponse response = member.chat(sampleRequest());
        assertThat(response).as("chat() response").isNotNull();
        assertThat(response.text()).as("response text").isNotNull();
        TokenUsage usage = response.usage();
        assertThat(usage).as("response usage").isNotNull();
        if (reportsUsage()) {
            assertThat(usage.reported()).as("usage reported, got %s", usage).isTrue();
            assertThat(usage.promptTokens()).as("prompt tokens").isPositive();
        } else {
            assertThat(usage.reported() || usage.equals(TokenUsage.UNREPORTED))
                    .as("usage is reported or TokenUsage.UNREPORTED, got %s", usage).isTrue();
        }
    }

    /**
     * Checks that {@link #sampleRequest()} at temperature 0, sent twice, gives the same text both times.
     *
     * @param member the member to check
     */
    protected final void checkDeterminism(ModelMember member) {
        ChatRequest request = greedy(sampleRequest());
        String first = member.chat(request).text();
        assertThat(member.chat(request).text()).as("text of the second identical call").isEqualTo(first);
    }

    /**
     * Checks that a {@code null} request is rejected with a {@link NullPointerException}.
     *
     * @param member the member to check
     */
    protected final void checkRejectsNullRequest(ModelMember member) {
        assertThatNullPointerException().as("chat(null)").isThrownBy(() -> member.chat(null));
    }

    /**
     * Checks that {@link #concurrentCalls()} calls started at once from as many threads all succeed, each within
     * ten times {@link #callTimeout()} plus {@link #timeoutSlack()}, and, when the member is deterministic, give
     * the same text.
     *
     * @param member the member to check
     */
    protected final void checkConcurrentCalls(ModelMember member) {
        int n = concurrentCalls();
        ChatRequest request = deterministicAtTemperatureZero() ? greedy(sampleRequest()) : sampleRequest();
        long deadline = System.nanoTime() + callTimeout().plus(timeoutSlack()).multipliedBy(10).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ChatResponse>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return member.chat(request);
                }));
            }
            start.countDown();
            List<String> texts = new ArrayList<>();
            for (Future<ChatResponse> f : futures) {
                ChatResponse response = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(response).as("response of a concurrent call").isNotNull();
                texts.add(response.text());
            }
            if (deterministicAtTemperatureZero()) {
                assertThat(texts).as("texts of %d identical concurrent calls", n).containsOnly(texts.get(0));
            }
        } catch (ExecutionException e) {
            fail("a concurrent call failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            fail("concurrent calls did not finish in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while waiting for concurrent calls", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Checks that a call to a member whose backend is slower than {@link #callTimeout()} ends within that plus
     * {@link #timeoutSlack()}, either with an answer or with a retriable {@link ModelMemberException} (such as
     * {@link io.el4ner.api.MemberTimeoutException}) naming the member.
     *
     * @param slow a member whose backend is slower than its deadline
     */
    protected final void checkTimeout(ModelMember slow) {
        String name = slow.name();
        ChatRequest request = sampleRequest();
        Throwable thrown = assertTimeoutPreemptively(callTimeout().plus(timeoutSlack()),
                () -> catchThrowable(() -> slow.chat(request)),
                () -> "a call to the slow member did not end within callTimeout() + timeoutSlack()");
        if (thrown != null) {
            assertThat(thrown).as("what a timed-out call throws").isInstanceOf(ModelMemberException.class);
            ModelMemberException e = (ModelMemberException) thrown;
            assertThat(e.memberName()).as("memberName() of %s", e).isEqualTo(name);
            assertThat(e.isRetriable()).as("a timeout is retriable, but got %s", e).isTrue();
        }
    }

    /**
     * Checks that a call to a failing member throws a {@link ModelMemberException} (not another exception) that
     * names the member, and that neither the exception, its causes, nor the member's {@code toString()} contain
     * {@link #secret()}.
     *
     * @param failing a member whose calls fail
     */
    protected final void checkFailureMapping(ModelMember failing) {
        String name = failing.name();
        Throwable thrown = catchThrowable(() -> failing.chat(sampleRequest()));
        assertThat(thrown).as("what chat() on a failing member throws").isNotNull();
        assertThat(thrown).as("what chat() on a failing member throws").isInstanceOf(ModelMemberException.class);
        ModelMemberException e = (ModelMemberException) thrown;
        assertThat(e.memberName()).as("memberName() of %s", e.getClass().getName()).isEqualTo(name);
        secret().ifPresent(secret -> {
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).as("message of %s", t.getClass().getName())
                        .doesNotContain(secret);
                assertThat(String.valueOf(t)).as("toString() of %s", t.getClass().getName())
                        .doesNotContain(secret);
            }
            assertThat(String.valueOf(failing)).as("toString() of the failing member").doesNotContain(secret);
        });
    }

    /**
     * Checks that {@code close()} can be called twice without throwing.
     *
     * @param member the member to close
     */
    protected final void checkRepeatableClose(ModelMember member) {
        member.close();
        member.close();
    }

    /**
     * Checks that {@link ModelMember#estimateTokens(String)} is non-negative and does not shrink as the text grows,
     * and that {@link ModelMember#contextTokens()} is positive.
     *
     * @param member the member to check
     */
    protected final void checkTokenEstimates(ModelMember member) {
        String text = sampleRequest().promptText();
        int empty = member.estimateTokens("");
        int once = member.estimateTokens(text);
        int tenTimes = member.estimateTokens(text.repeat(10));
        assertThat(empty).as("estimateTokens(\"\")").isNotNegative();
        assertThat(once).as("estimateTokens(prompt)").isGreaterThanOrEqualTo(empty);
        assertThat(tenTimes).as("estimateTokens(prompt repeated 10 times)").isGreaterThanOrEqualTo(once);
        assertThat(member.contextTokens()).as("contextTokens()").isPositive();
    }

    private static ChatRequest greedy(ChatRequest request) {
        GenerationOptions o = request.options();
        return new ChatRequest(request.messages(), new GenerationOptions(0.0, o.maxTokens(), o.jsonOutput()),
                request.context());
    }
}
