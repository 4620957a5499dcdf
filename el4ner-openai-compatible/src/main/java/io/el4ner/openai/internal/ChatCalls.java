package io.el4ner.openai.internal;

import static io.el4ner.openai.internal.MemberLog.LOG;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Redaction;
import io.el4ner.openai.Flavor;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Runs a member's chat calls, each within its stage's deadline: a request slot ({@code maxConcurrentRequests}), the
 * {@linkplain FlavorResolver flavor}, the {@linkplain StructuredOutput constraint} that flavor sends, the
 * {@linkplain RetryingExchange retrying exchange} and the {@linkplain Reasks re-asks}, then the response.
 */
public final class ChatCalls {
    /** A longer model name in an answer is cut (a hostile server could send megabytes). */
    private static final int MAX_MODEL_NAME_CHARS = 200;

    private final MemberSettings settings;
    private final Transport transport;
    private final FailureMessages failures;
    private final FlavorResolver flavors;
    private final RetryingExchange exchange;
    private final Semaphore slots;
    private final AtomicBoolean modelWarned = new AtomicBoolean();

    /**
     * @param settings the member's resolved settings
     * @param client the member's HTTP client, asked for on each exchange (so that it can be created lazily)
     * @param closed whether the member was closed
     */
    public ChatCalls(MemberSettings settings, Supplier<HttpClient> client, BooleanSupplier closed) {
        this.settings = settings;
        this.transport = new Transport(client, settings.maxResponseBytes(), settings.apiKey());
        List<Endpoint> endpoints = new ArrayList<>();
        for (BaseUrl url : settings.baseUrls()) {
            endpoints.add(new Endpoint(url, settings.newCircuitBreaker()));
        }
        Balancer balancer = new Balancer(endpoints);
        this.failures = new FailureMessages(settings.name(), settings.model(), settings.apiKeyEnv(),
                settings.apiKey() != null, settings.maxResponseBytes());
        this.flavors = new FlavorResolver(settings.name(), settings.flavor(), endpoints, transport,
                settings.requestTimeout(), failures);
        this.exchange = new RetryingExchange(settings.name(), balancer, transport, settings.requestTimeout(),
                settings.maxAttempts(), settings.backoff(), failures, closed);
        this.slots = new Semaphore(settings.maxConcurrentRequests(), true);
    }

    /** @return the flavor in use: the configured one, or the detected one once detection ran; else empty */
    public Optional<Flavor> effectiveFlavor() {
        return flavors.effective();
    }

    /** @return the flavor as {@code toString} shows it: {@code vllm}, {@code auto} or {@code auto (vllm)} */
    public String describeFlavor() {
        return flavors.describe();
    }

    /**
     * @param request the request
     * @return the response
     * @throws io.el4ner.api.ModelMemberException when no answer came (see the member's Javadoc)
     */
    public ChatResponse chat(ChatRequest request) {
        Call call = Call.startNow(request, settings.callTimeout(request.context().stage()));
        acquireSlot(call);
        try {
            Flavor f = flavors.resolve(call);
            StructuredOutput output = request.options().jsonOutput() && f != Flavor.PROMPT_ONLY
                    ? StructuredOutput.forStage(f, request.context(), settings.substringGrammar(), settings.name())
                    : null;
            Answer answer = Reasks.ask(settings.name(), call.stage(), request.messages(), output,
                    settings.reaskAttempts(), messages -> exchange.exchange(call, f, body(call, f, messages, output)));
            String answeredModel = Redaction.excerpt(answer.model(), MAX_MODEL_NAME_CHARS);
            noteModel(answeredModel);
            return new ChatResponse(answer.text(), answer.usage(), answeredModel, "length".equals(
                    answer.finishReason()) ? "the server stopped the answer at its token limit (finish_reason "
                    + "\"length\"); el4ner read what came; a larger maxTokens leaves room for the whole answer" : "");
        } catch (SharedHttpClients.ReleasedException e) {
            throw failures.closed(e);
        } finally {
            slots.release();
        }
    }

    /** Aborts this member's exchanges in flight (when it closes); other members' are not touched. */
    public void cancelAll() {
        transport.cancelAll();
    }

    /** @return the exception for a call to a closed member */
    public NonRetriableBackendException closed() {
        return failures.closed(null);
    }

    private void acquireSlot(Call call) {
        try {
            if (!slots.tryAcquire(Math.max(0, call.remainingNanos()), TimeUnit.NANOSECONDS)) {
                throw failures.noSlot(call, settings.maxConcurrentRequests());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failures.cancelled(call, "while waiting for a request slot");
        }
    }

    private byte[] body(Call call, Flavor f, List<ChatMessage> messages, StructuredOutput output) {
        try {
            return Json.MAPPER.writeValueAsBytes(RequestBodies.build(f, messages,
                    settings.decoding(call.stage(), call.request().options()), output, settings.extraBody()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a request body", e);
        }
    }

    private void noteModel(String answered) {
        String model = settings.model();
        if (!answered.isEmpty() && !sameModel(answered, model) && modelWarned.compareAndSet(false, true)) {
            LOG.warn("member '{}': the server answered as model '{}', not the configured '{}'; results report the "
                    + "server's name", settings.name(), answered, model);
        }
    }

    private static boolean sameModel(String answered, String configured) {
        return answered.equals(configured) || answered.equals(configured + ":latest")
                || configured.equals(answered + ":latest");
    }
}
