package io.el4ner.core.internal.exec;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.ModelMember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls members concurrently with a per-call deadline and a bound on calls in flight. Results come back in
 * ensemble order, so nothing downstream depends on which member finished first.
 *
 * <p>The deadline covers the whole of a member's call: waiting for a permit, the member's own work (its retries
 * and re-asks included) and reading its answer: {@link #callAll(Stage, List, Function, Function, CallLedger)} parses
 * each answer on the member's pool thread, inside the deadline, so that no answer can hold the caller longer than
 * the timeout. The permit bounds calls to the backends only; it is released before parsing.
 */
public final class MemberInvoker {
    private static final Logger log = LoggerFactory.getLogger(MemberInvoker.class);

    private final Executor executor;
    private final Semaphore permits;
    private final Duration timeout;

    /**
     * @param executor runs the calls
     * @param maxConcurrentCalls calls in flight at most, across all recognitions of the ensemble
     * @param timeout deadline of one call, waiting for a permit included
     */
    public MemberInvoker(Executor executor, int maxConcurrentCalls, Duration timeout) {
        this.executor = executor;
        this.permits = new Semaphore(maxConcurrentCalls, true);
        this.timeout = timeout;
    }

    /**
     * A member's answer and what was read from it, both within the call's deadline.
     *
     * @param response the member's answer
     * @param parsed what the parser read from its text
     * @param excerpt the text {@linkplain Redaction#excerpt(String, int) redacted and cut} to
     *     {@link Diagnostic#MAX_DETAIL_CHARS}, for the diagnostics about it (made once, not once per diagnostic)
     * @param <T> what the parser reads
     */
    public record Answer<T>(ChatResponse response, T parsed, String excerpt) {
    }

    /**
     * Calls each member with its request.
     *
     * @param stage the stage, for accounting
     * @param members the members to call, in ensemble order
     * @param requestFor the request for each member
     * @param ledger where usage and failures go
     * @return the answers of the members that succeeded, in ensemble order
     */
    public Map<ModelMember, ChatResponse> callAll(Stage stage, List<ModelMember> members,
                                                  Function<ModelMember, ChatRequest> requestFor, CallLedger ledger) {
        Map<ModelMember, ChatResponse> out = new LinkedHashMap<>();
        callAll(stage, members, requestFor, text -> null, ledger).forEach((m, a) -> out.put(m, a.response()));
        return out;
    }

    /**
     * Calls each member with its request and reads each answer, the reading within the call's deadline.
     *
     * @param stage the stage, for accounting
     * @param members the members to call, in ensemble order
     * @param requestFor the request for each member
     * @param parser reads an answer's text; must not throw (what it throws counts as the member's failure)
     * @param ledger where usage and failures go
     * @param <T> what the parser reads
     * @return the answers of the members that succeeded, read, in ensemble order
     */
    public <T> Map<ModelMember, Answer<T>> callAll(Stage stage, List<ModelMember> members,
                                                   Function<ModelMember, ChatRequest> requestFor,
                                                   Function<String, T> parser, CallLedger ledger) {
        // FutureTask rather than CompletableFuture: cancelling it interrupts the member's thread.
        List<FutureTask<Answer<T>>> futures = new ArrayList<>(members.size());
        long[] started = new long[members.size()];
        for (int i = 0; i < members.size(); i++) {
            ModelMember m = members.get(i);
            ChatRequest request = requestFor.apply(m);
            started[i] = System.nanoTime();
            FutureTask<Answer<T>> task = new FutureTask<>(() -> callOne(m, request, parser));
            futures.add(task);
            try {
                executor.execute(task);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                task.cancel(false);
            }
        }
        Map<ModelMember, Answer<T>> answers = new LinkedHashMap<>();
        for (int i = 0; i < members.size(); i++) {
            ModelMember m = members.get(i);
            FutureTask<Answer<T>> f = futures.get(i);
            long remaining = timeout.toNanos() - (System.nanoTime() - started[i]);
            Answer<T> response;
            try {
                response = f.get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                fail(stage, m, new MemberTimeoutException(m.name(),
                        "member '" + m.name() + "' did not answer within " + timeout.toMillis()
                                + " ms (reading its answer included)"), started[i],
                        ledger);
                continue;
            } catch (ExecutionException | CancellationException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause()
                        : new CancellationException("the call was cancelled or its executor refused it");
                fail(stage, m, asMemberException(m, cause), started[i], ledger);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                throw new io.el4ner.api.El4nerException("interrupted while waiting for members", e);
            }
            if (response == null) {
                fail(stage, m, new ModelMemberException(m.name(), "member '" + m.name() + "' returned null"),
                        started[i], ledger);
                continue;
            }
            ledger.success(stage, m.name(), response.response(), millisSince(started[i]));
            if (response.response().truncated()) {
                ledger.report(new Diagnostic(Diagnostic.Kind.TRUNCATED_ANSWER, stage, m.name(),
                        "member '" + m.name() + "': " + response.response().truncation(), response.excerpt()));
            }
            answers.put(m, response);
        }
        return answers;
    }

    private <T> Answer<T> callOne(ModelMember member, ChatRequest request, Function<String, T> parser) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for a call permit");
        }
        ChatResponse response;
        try {
            response = member.chat(request);
        } finally {
            permits.release();
        }
        if (response == null) {
            return null;
        }
        String text = response.text();
        return new Answer<>(response, parser.apply(text), Redaction.excerpt(text, Diagnostic.MAX_DETAIL_CHARS));
    }

    private static ModelMemberException asMemberException(ModelMember m, Throwable t) {
        if (t instanceof ModelMemberException mme) {
            return mme;
        }
        String what = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return new ModelMemberException(m.name(), "member '" + m.name() + "' threw " + what, t);
    }

    private static void fail(Stage stage, ModelMember m, ModelMemberException e, long started, CallLedger ledger) {
        log.debug("member '{}' failed in {}: {}", m.name(), stage, e.getMessage());
        ledger.failure(stage, m.name(), millisSince(started));
        ledger.report(new Diagnostic(Diagnostic.Kind.MEMBER_FAILURE, stage, m.name(), e.getMessage(),
                e.getClass().getName() + (e.isRetriable() ? " (retriable)" : " (not retriable)")));
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
