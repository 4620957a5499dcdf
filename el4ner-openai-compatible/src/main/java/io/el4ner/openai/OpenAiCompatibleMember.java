package io.el4ner.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.AnswerContract;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Redaction;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.openai.internal.Answer;
import io.el4ner.openai.internal.AnswerGrammar;
import io.el4ner.openai.internal.Backoff;
import io.el4ner.openai.internal.Balancer;
import io.el4ner.openai.internal.BaseUrl;
import io.el4ner.openai.internal.CircuitBreaker;
import io.el4ner.openai.internal.Endpoint;
import io.el4ner.openai.internal.FlavorDetector;
import io.el4ner.openai.internal.Json;
import io.el4ner.openai.internal.Reasks;
import io.el4ner.openai.internal.RequestBodies;
import io.el4ner.openai.internal.ResponseReader;
import io.el4ner.openai.internal.ResponseTooLargeException;
import io.el4ner.openai.internal.SecretValues;
import io.el4ner.openai.internal.SharedHttpClients;
import io.el4ner.openai.internal.StructuredOutput;
import io.el4ner.openai.internal.Transport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member that calls an OpenAI-compatible chat server over HTTP: vLLM, the llama.cpp server, Ollama, OpenAI, or
 * anything that speaks {@code POST /v1/chat/completions}. Built on {@link HttpClient} and Jackson, nothing else.
 *
 * <ul>
 *   <li><b>Structured outputs.</b> When the prompt asks for JSON, the server is asked for JSON of the stage's
 *       schema with its own mechanism (see {@link Flavor}); the flavor is configured or detected on the first
 *       call. vLLM and llama.cpp get, for extraction, a grammar instead of the schema, which also keeps every
 *       span string to the sentence's token-aligned substrings ({@link Builder#substringGrammar(boolean)}).
 *       If a constrained answer still does not parse as the stage's JSON, the member re-asks (once by
 *       default) with the bad answer and a short correction; if that fails too it returns the text as it is and
 *       el4ner's lenient parser reports what it cannot read.</li>
 *   <li><b>Faults.</b> HTTP 408, 429 and 5xx, connection failures, resets, timeouts and malformed bodies are
 *       retried with exponential backoff and jitter, honouring {@code Retry-After}, within the call's deadline;
 *       400, 401, 403 and 404 are never retried. A replica that fails {@code circuitFailureThreshold} times in a
 *       row is not called for {@code circuitOpen}; when all are open, calls fail at once with a
 *       {@link RetriableBackendException} and the ensemble goes on with its other members. Response bodies are
 *       read up to {@code maxResponseBytes}.</li>
 *   <li><b>Deadlines.</b> One call, retries and re-asks included, ends by its stage's deadline. Interrupting the
 *       calling thread aborts the HTTP exchange and ends the call at once with a
 *       {@link MemberTimeoutException}.</li>
 *   <li><b>Replicas.</b> Several base URLs serve one model; each attempt goes to the replica with the fewest
 *       requests in flight, and a retry prefers another replica.</li>
 *   <li><b>Secrets.</b> The API key is read from a named environment variable. It, and every string under an
 *       {@code extraBody} field whose name looks secret ({@link Redaction#isSecretName(String)}: it contains
 *       {@code key}, {@code token}, {@code secret}, {@code password}, {@code passwd}, {@code credential} or
 *       {@code authorization} and is not a count such as {@code max_tokens}), is
 *       {@linkplain Redaction registered} while the member is open and until its last call returns, so it appears
 *       in no log, message, diagnostic or {@link #toString()} of el4ner, even where a server echoes it back;
 *       excerpts of server answers are redacted before they are cut. Numbers and booleans are settings, not
 *       secrets.</li>
 *   <li><b>Resources.</b> Members share one HTTP client, and its pool of daemon threads, per distinct
 *       {@code connectTimeout}; it is created on the first request of any of them and stopped when the last one
 *       closes, so threads and connections grow with the requests in flight, not with the number of members.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} aborts the member's requests in flight and lets go of the shared HTTP client.
 *
 * @since 0.1
 */
public final class OpenAiCompatibleMember implements ModelMember {
    private static final Logger log = LoggerFactory.getLogger(OpenAiCompatibleMember.class);
    private static final long DETECTION_TIMEOUT_NANOS = Duration.ofSeconds(5).toNanos();
    /** A longer model name in an answer is cut (a hostile server could send megabytes). */
    private static final int MAX_MODEL_NAME_CHARS = 200;
    /**
     * The largest substring grammar sent (UTF-8 bytes); a larger one falls back to the JSON Schema alone. Four times
     * the grammar of the longest CoNLL-2003 test sentence (124 tokens, 4,099 bytes; el4ner-benchmarks'
     * ServerGrammarStudy), about 500 tokens of English: the grammar grows linearly, but a span's first token has one
     * alternative per sentence token, and a server's grammar engine follows each of them while a span starts.
     */
    static final int MAX_GRAMMAR_BYTES = 16 * 1024;

    private final String name;
    private final String model;
    private final Balancer balancer;
    private final List<BaseUrl> baseUrls;
    private final Flavor flavor;
    private final Double temperature;
    private final Integer maxTokens;
    private final Map<Stage, Integer> stageMaxTokens;
    private final Long seed;
    private final Duration requestTimeout;
    private final Duration callTimeout;
    private final Map<Stage, Duration> stageCallTimeouts;
    private final int maxConcurrentRequests;
    private final int maxAttempts;
    private final Backoff backoff;
    private final long maxResponseBytes;
    private final int reaskAttempts;
    private final ObjectNode extraBody;
    private final int contextTokens;
    private final boolean substringGrammar;
    private final String apiKeyEnv;
    private final String apiKey;

    private final Redaction.Registration secrets;
    private final SharedHttpClients.Lease client;
    private final Transport transport;
    private final Semaphore slots;
    private final ReentrantLock detectionLock = new ReentrantLock();
    private volatile FlavorDetector.Detection detected;
    private final AtomicBoolean modelWarned = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The {@link #chat} calls not yet returned; the secrets stay registered until the last one returns. */
    private final AtomicInteger callsInFlight = new AtomicInteger();

    private OpenAiCompatibleMember(Builder b, String apiKey) {
        this.name = b.name != null ? b.name : b.model;
        this.model = b.model;
        List<BaseUrl> urls = new ArrayList<>();
        List<Endpoint> endpoints = new ArrayList<>();
        for (String u : b.baseUrls) {
            BaseUrl url = BaseUrl.parse(u);
            if (urls.contains(url)) {
                throw new IllegalArgumentException("baseUrls lists " + url + " twice");
            }
            urls.add(url);
            endpoints.add(new Endpoint(url, new CircuitBreaker(b.circuitFailureThreshold, b.circuitOpen)));
        }
        this.baseUrls = List.copyOf(urls);
        this.balancer = new Balancer(endpoints);
        this.flavor = b.flavor;
        this.temperature = b.temperature;
        this.maxTokens = b.maxTokens;
        this.stageMaxTokens = Map.copyOf(b.stageMaxTokens);
        this.seed = b.seed;
        this.requestTimeout = b.requestTimeout;
        this.callTimeout = b.callTimeout;
        this.stageCallTimeouts = Map.copyOf(b.stageCallTimeouts);
        this.maxConcurrentRequests = b.maxConcurrentRequests;
        this.maxAttempts = b.maxAttempts;
        this.backoff = new Backoff(b.retryBaseDelay, b.retryMaxDelay);
        this.maxResponseBytes = b.maxResponseBytes;
        this.reaskAttempts = b.reaskAttempts;
        this.extraBody = b.extraBody == null ? null : b.extraBody.deepCopy();
        this.contextTokens = b.contextTokens;
        this.substringGrammar = b.substringGrammar;
        this.apiKeyEnv = b.apiKeyEnv;
        this.apiKey = apiKey;
        this.slots = new Semaphore(maxConcurrentRequests, true);
        List<String> secrets = new ArrayList<>();
        if (apiKey != null) {
            secrets.add(apiKey);
        }
        secrets.addAll(SecretValues.inJson(extraBody));
        this.secrets = SecretValues.registerAll(secrets);
        this.client = SharedHttpClients.lease(b.connectTimeout);
        this.transport = new Transport(client::client, maxResponseBytes, apiKey);
    }

    /** @return a builder; {@code model} and at least one base URL are required */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the model name sent with every request */
    public String model() {
        return model;
    }

    /** @return the normalised base URLs of the replicas (server roots, without {@code /v1}) */
    public List<String> baseUrls() {
        return baseUrls.stream().map(BaseUrl::root).toList();
    }

    /** @return the configured flavor ({@link Flavor#AUTO} unless one was set) */
    public Flavor flavor() {
        return flavor;
    }

    /** @return the flavor in use: the configured one, or the detected one once detection ran; else empty */
    public Optional<Flavor> effectiveFlavor() {
        if (flavor != Flavor.AUTO) {
            return Optional.of(flavor);
        }
        FlavorDetector.Detection d = detected;
        return d == null ? Optional.empty() : Optional.of(d.flavor());
    }

    @Override
    public int contextTokens() {
        return contextTokens;
    }

    /** @return whether vLLM and llama.cpp servers get a grammar that keeps span strings to the sentence */
    public boolean substringGrammar() {
        return substringGrammar;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        callsInFlight.incrementAndGet();
        try {
            return call(request);
        } finally {
            // The last call of a closed member forgets its secrets: not before, or a call finishing after close()
            // (a 500 body quoting the key) would build its message with the key unmasked.
            if (callsInFlight.decrementAndGet() == 0 && closed.get()) {
                secrets.close();
            }
        }
    }

    private ChatResponse call(ChatRequest request) {
        if (closed.get()) {
            throw new NonRetriableBackendException(name, "member '" + name + "' is closed");
        }
        Stage stage = request.context().stage();
        Duration budget = stageCallTimeouts.getOrDefault(stage, callTimeout);
        long start = System.nanoTime();
        Call call = new Call(request, stage, start, start + budget.toNanos(), budget);
        acquireSlot(call);
        try {
            Flavor f = resolveFlavor(call);
            StructuredOutput output = request.options().jsonOutput() && f != Flavor.PROMPT_ONLY
                    ? structuredOutput(f, request.context(), substringGrammar) : null;
            List<ChatMessage> messages = request.messages();
            Answer answer = exchange(call, f, messages, output);
            TokenUsage usage = answer.usage();
            for (int i = 0; output != null && i < reaskAttempts
                    && !Reasks.acceptable(stage, answer.text(), output.isChoice()); i++) {
                log.debug("member '{}': the {} answer is not the stage's JSON (finish reason '{}'); re-asking",
                        name, stage, Redaction.excerpt(answer.finishReason(), 100));
                List<ChatMessage> again = new ArrayList<>(messages);
                again.add(new ChatMessage(ChatMessage.Role.ASSISTANT, answer.text()));
                again.add(ChatMessage.user(Reasks.correction(stage, output.isChoice())));
                Answer second;
                try {
                    second = exchange(call, f, again, output);
                } catch (ModelMemberException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw e;
                    }
                    log.debug("member '{}': the re-ask failed ({}); returning the first answer", name,
                            Redaction.redact(e.getMessage()));
                    break;
                }
                usage = add(usage, second.usage());
                answer = second;
                messages = again;
            }
            String answeredModel = Redaction.excerpt(answer.model(), MAX_MODEL_NAME_CHARS);
            noteModel(answeredModel);
            return new ChatResponse(answer.text(), usage, answeredModel, "length".equals(answer.finishReason())
                    ? "the server stopped the answer at its token limit (finish_reason \"length\"); el4ner read what "
                    + "came; a larger maxTokens leaves room for the whole answer" : "");
        } catch (SharedHttpClients.ReleasedException e) {
            throw new NonRetriableBackendException(name, "member '" + name + "' is closed", e);
        } finally {
            slots.release();
        }
    }

    private void acquireSlot(Call call) {
        try {
            if (!slots.tryAcquire(Math.max(0, call.deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new MemberTimeoutException(name, "member '" + name + "' found no free request slot within "
                        + call.budget.toMillis() + " ms (maxConcurrentRequests=" + maxConcurrentRequests + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelled(call, "while waiting for a request slot");
        }
    }

    private Flavor resolveFlavor(Call call) {
        if (flavor != Flavor.AUTO) {
            return flavor;
        }
        FlavorDetector.Detection d = detected;
        if (d != null) {
            return d.flavor();
        }
        try {
            if (!detectionLock.tryLock(Math.max(0, call.deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw timedOut(call, 0, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelled(call, "while waiting for another call to detect the server's flavor");
        }
        try {
            d = detected;
            if (d != null) {
                return d.flavor();
            }
            for (Endpoint e : balancer.endpoints()) {
                long remaining = call.deadline - System.nanoTime();
                long per = Math.min(Math.min(requestTimeout.toNanos(), DETECTION_TIMEOUT_NANOS), remaining / 4);
                if (per <= 0) {
                    break;
                }
                Optional<FlavorDetector.Detection> found;
                try {
                    found = FlavorDetector.detect(transport, e.url(), per);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw cancelled(call, "while detecting the server's flavor at " + e.url());
                }
                if (found.isPresent()) {
                    detected = found.get();
                    log.info("member '{}': {} at {} ({})", name, detected.flavor() == Flavor.PROMPT_ONLY
                            ? "unknown server, asking for JSON in the prompt only" : "detected flavor "
                            + detected.flavor().configName(), e.url(), Redaction.excerpt(detected.evidence(), 200));
                    return detected.flavor();
                }
            }
        } finally {
            detectionLock.unlock();
        }
        log.debug("member '{}': could not reach a server to detect its flavor; this call uses prompt-only JSON",
                name);
        return Flavor.PROMPT_ONLY;
    }

    private StructuredOutput structuredOutput(Flavor f, TaskContext context, boolean grammar) {
        AnswerContract contract = AnswerContract.of(context);
        ObjectNode schema;
        try {
            schema = (ObjectNode) Json.MAPPER.readTree(contract.jsonSchema());
        } catch (IOException e) {
            throw new IllegalStateException("the answer contract's JSON Schema is not JSON: " + contract, e);
        }
        if (f == Flavor.VLLM && context.stage() == Stage.VALIDATION && context.typedSpans().size() == 1) {
            return new StructuredOutput(contract.name(), schema, List.of("true", "false"));
        }
        if (grammar && (f == Flavor.VLLM || f == Flavor.LLAMA_CPP) && AnswerGrammar.hasSubstringRule(contract)) {
            String g = AnswerGrammar.of(contract);
            int bytes = g.getBytes(StandardCharsets.UTF_8).length;
            if (bytes <= MAX_GRAMMAR_BYTES) {
                return new StructuredOutput(contract.name(), schema, List.of(), g);
            }
            // The sentence itself is never logged: only its length.
            log.debug("member '{}': the {} grammar of a {}-char sentence takes {} bytes, over the {}-byte bound; "
                    + "sending the JSON Schema alone (span strings are checked by el4ner's parser only)", name,
                    stageName(context.stage()), context.sentence().length(), bytes, MAX_GRAMMAR_BYTES);
        }
        return new StructuredOutput(contract.name(), schema, List.of());
    }

    /** One HTTP round (with retries) for one conversation. */
    private Answer exchange(Call call, Flavor f, List<ChatMessage> messages, StructuredOutput output) {
        double temp = temperature != null ? temperature : call.request.options().temperature();
        int tokens = stageMaxTokens.getOrDefault(call.stage,
                maxTokens != null ? maxTokens : call.request.options().maxTokens());
        ObjectNode body = RequestBodies.build(f, messages, new RequestBodies.Decoding(model, temp, tokens, seed),
                output, extraBody);
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a request body", e);
        }
        Set<String> tried = new LinkedHashSet<>();
        Endpoint previous = null;
        Failure last = null;
        for (int attempt = 1; ; attempt++) {
            if (closed.get()) {
                throw new NonRetriableBackendException(name, "member '" + name + "' was closed during the call");
            }
            long remaining = call.deadline - System.nanoTime();
            if (remaining <= 0) {
                throw timedOut(call, attempt - 1, last);
            }
            Optional<Endpoint> picked = balancer.pick(previous);
            if (picked.isEmpty()) {
                throw circuitOpen(last);
            }
            Endpoint ep = picked.get();
            URI uri = f == Flavor.OLLAMA ? ep.url().ollamaChat() : ep.url().chatCompletions();
            tried.add(uri.toString());
            long attemptNanos = Math.min(requestTimeout.toNanos(), remaining);
            boolean boundByDeadline = attemptNanos == remaining;
            Failure failure;
            ep.outstanding().incrementAndGet();
            try {
                HttpResponse<byte[]> r = transport.exchange(transport.post(uri, bytes), attemptNanos);
                int status = r.statusCode();
                if (status >= 200 && status < 300) {
                    String type = Redaction.excerpt(r.headers().firstValue("content-type").orElse("(none)"), 100);
                    try {
                        Answer a = ResponseReader.read(f, r.body(), type);
                        ep.breaker().onSuccess();
                        return a;
                    } catch (ResponseReader.MalformedAnswerException e) {
                        failure = new Failure(uri, "malformed answer from " + uri + ": " + e.getMessage(), true,
                                null, false);
                    }
                } else {
                    failure = httpFailure(uri, r);
                }
            } catch (TimeoutException e) {
                failure = new Failure(uri, "no complete answer from " + uri + " within "
                        + TimeUnit.NANOSECONDS.toMillis(attemptNanos) + " ms", true, null, boundByDeadline);
            } catch (InterruptedException e) {
                ep.breaker().release();
                Thread.currentThread().interrupt();
                throw cancelled(call, "during a request to " + uri);
            } catch (ResponseTooLargeException e) {
                failure = new Failure(uri, "the answer from " + uri + " is longer than maxResponseBytes="
                        + maxResponseBytes + " bytes; raise maxResponseBytes or lower maxTokens", false, null, false);
            } catch (IOException e) {
                failure = new Failure(uri, ioSummary(uri, e), true, null, false);
            } finally {
                ep.outstanding().decrementAndGet();
            }
            if (!failure.retriable) {
                ep.breaker().onSuccess(); // the server is up and answered; the request is what is wrong
                throw new NonRetriableBackendException(name, Redaction.redact("member '" + name + "': "
                        + failure.summary));
            }
            if (ep.breaker().onFailure(failure.summary)) {
                log.warn("member '{}': circuit opened for {} until {} after {} failed attempts in a row; last: {}",
                        name, ep.url(), ep.breaker().openUntil(), ep.breaker().consecutiveFailures(),
                        Redaction.redact(failure.summary));
            }
            last = failure;
            if (failure.boundByDeadline) {
                throw timedOut(call, attempt, last);
            }
            if (attempt >= maxAttempts) {
                throw new RetriableBackendException(name, Redaction.redact("member '" + name + "' got no answer after "
                        + attempt + " attempt" + (attempt == 1 ? "" : "s") + " (maxAttempts=" + maxAttempts
                        + ") to " + String.join(", ", tried) + "; last failure: " + last.summary));
            }
            long delay = failure.retryAfterNanos != null ? failure.retryAfterNanos : backoff.delayNanos(attempt);
            if (System.nanoTime() + delay - call.deadline >= 0) {
                String why = failure.retryAfterNanos != null
                        ? "the server asked to retry after " + TimeUnit.NANOSECONDS.toMillis(delay)
                        + " ms (Retry-After), past the call's deadline"
                        : "the next retry would start past the call's deadline";
                throw new RetriableBackendException(name, Redaction.redact("member '" + name + "' got no answer after "
                        + attempt + " attempt" + (attempt == 1 ? "" : "s") + " to " + String.join(", ", tried)
                        + " and gave up: " + why + " (" + call.budget.toMillis() + " ms); last failure: "
                        + last.summary));
            }
            log.debug("member '{}': attempt {} failed ({}); retrying in {} ms", name, attempt,
                    Redaction.redact(failure.summary), TimeUnit.NANOSECONDS.toMillis(delay));
            try {
                TimeUnit.NANOSECONDS.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw cancelled(call, "while waiting to retry " + uri);
            }
            previous = ep;
        }
    }

    private Failure httpFailure(URI uri, HttpResponse<byte[]> r) {
        int status = r.statusCode();
        String detail = ResponseReader.errorMessage(r.body()).map(m -> ": " + m).orElse(
                r.body().length == 0 ? "" : ": " + ResponseReader.excerpt(r.body()));
        String what = "HTTP " + status + reason(status) + " from " + uri;
        if (status == 408 || status == 429 || status >= 500) {
            Optional<Long> after = Backoff.retryAfterNanos(r.headers(), Instant.now());
            return new Failure(uri, what + after.map(n -> " (Retry-After " + TimeUnit.NANOSECONDS.toMillis(n)
                    + " ms)").orElse("") + detail, true, after.orElse(null), false);
        }
        String advice = switch (status) {
            case 401 -> ": the key was rejected" + (apiKeyEnv != null
                    ? " (it comes from the environment variable " + apiKeyEnv + ")"
                    : apiKey == null ? "; no key was sent: set apiKeyEnv to the name of the variable that holds it"
                    : "");
            case 403 -> ": the key was rejected or may not use model '" + model + "'";
            case 404 -> ": check baseUrl and the model name '" + model + "'";
            default -> status >= 300 && status < 400
                    ? ": the server redirects to " + Redaction.redactUrls(Redaction.excerpt(
                            r.headers().firstValue("location").orElse("(no Location)"), 200))
                    + "; give that address as baseUrl" : "";
        };
        return new Failure(uri, what + advice + detail, false, null, false);
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> " Bad Request";
            case 401 -> " Unauthorized";
            case 403 -> " Forbidden";
            case 404 -> " Not Found";
            case 408 -> " Request Timeout";
            case 413 -> " Content Too Large";
            case 422 -> " Unprocessable Content";
            case 429 -> " Too Many Requests";
            case 500 -> " Internal Server Error";
            case 502 -> " Bad Gateway";
            case 503 -> " Service Unavailable";
            case 504 -> " Gateway Timeout";
            default -> "";
        };
    }

    private static String ioSummary(URI uri, IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "cannot connect to " + uri + ": the connection timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer from " + uri + ": " + e.getMessage();
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "cannot connect to " + uri + ": connection refused or unreachable";
            }
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : Redaction.excerpt(e.getMessage(), 200);
        return "the connection to " + uri + " failed: " + msg;
    }

    private MemberTimeoutException timedOut(Call call, int attempts, Failure last) {
        return new MemberTimeoutException(name, Redaction.redact("member '" + name + "' did not answer within "
                + call.budget.toMillis() + " ms (its deadline for the " + stageName(call.stage) + " stage) after "
                + attempts + " attempt" + (attempts == 1 ? "" : "s") + (last == null ? "" : "; last: "
                + last.summary)));
    }

    private MemberTimeoutException cancelled(Call call, String where) {
        return new MemberTimeoutException(name, "the call to member '" + name + "' was cancelled " + where
                + " after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - call.start)
                + " ms: its thread was interrupted");
    }

    private RetriableBackendException circuitOpen(Failure last) {
        Instant until = null;
        String lastFailure = last == null ? "" : last.summary;
        for (Endpoint e : balancer.endpoints()) {
            Instant u = e.breaker().openUntil();
            if (until == null || u.isBefore(until)) {
                until = u;
            }
            if (lastFailure.isEmpty()) {
                lastFailure = e.breaker().lastFailure();
            }
        }
        return new RetriableBackendException(name, Redaction.redact("circuit open for member '" + name + "' until "
                + until + ": " + (baseUrls.size() == 1 ? "its server" : "every replica") + " failed repeatedly; last: "
                + lastFailure));
    }

    private static String stageName(Stage s) {
        return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private void noteModel(String answered) {
        if (!answered.isEmpty() && !sameModel(answered, model) && modelWarned.compareAndSet(false, true)) {
            log.warn("member '{}': the server answered as model '{}', not the configured '{}'; results report the "
                    + "server's name", name, answered, model);
        }
    }

    private static boolean sameModel(String answered, String configured) {
        return answered.equals(configured) || answered.equals(configured + ":latest")
                || configured.equals(answered + ":latest");
    }

    private static TokenUsage add(TokenUsage a, TokenUsage b) {
        if (a.reported() && b.reported()) {
            return TokenUsage.of(a.promptTokens() + b.promptTokens(), a.completionTokens() + b.completionTokens());
        }
        return TokenUsage.UNREPORTED;
    }

    /**
     * Aborts this member's requests in flight, lets go of the shared HTTP client (whose threads stop when no member
     * holds it) and forgets this member's secrets: at once when no call is in flight, else when the last call in
     * flight returns, so that the messages those calls are still building are masked. Later calls fail.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            transport.cancelAll();
            client.close();
            if (callsInFlight.get() == 0) {
                secrets.close(); // idempotent: a call that returns meanwhile may close them too
            }
        }
    }

    @Override
    public String toString() {
        String key = apiKey == null ? "none" : apiKeyEnv != null ? "from $" + apiKeyEnv : "set";
        String fl = flavor != Flavor.AUTO ? flavor.configName() : detected == null ? "auto"
                : "auto (" + detected.flavor().configName() + ")";
        return Redaction.redact("OpenAiCompatibleMember[name=" + name + ", model=" + model + ", baseUrls="
                + baseUrls() + ", flavor=" + fl + ", apiKey=" + key + "]");
    }

    private record Call(ChatRequest request, Stage stage, long start, long deadline, Duration budget) {
    }

    private record Failure(URI uri, String summary, boolean retriable, Long retryAfterNanos,
                           boolean boundByDeadline) {
    }

    /**
     * Builds an {@link OpenAiCompatibleMember}. Unset settings take the defaults documented on each method.
     * Settings are checked when set ({@link IllegalArgumentException}) and together in {@link #build()}.
     */
    public static final class Builder {
        private String name;
        private final List<String> baseUrls = new ArrayList<>();
        private String model;
        private String apiKeyEnv;
        private String apiKey;
        private Function<String, String> environment = System::getenv;
        private Flavor flavor = Flavor.AUTO;
        private Double temperature;
        private Integer maxTokens;
        private final Map<Stage, Integer> stageMaxTokens = new EnumMap<>(Stage.class);
        private Long seed;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration callTimeout = Duration.ofSeconds(120);
        private final Map<Stage, Duration> stageCallTimeouts = new EnumMap<>(Stage.class);
        private int maxConcurrentRequests = 16;
        private int maxAttempts = 4;
        private Duration retryBaseDelay = Duration.ofMillis(500);
        private Duration retryMaxDelay = Duration.ofSeconds(8);
        private int circuitFailureThreshold = 5;
        private Duration circuitOpen = Duration.ofSeconds(30);
        private long maxResponseBytes = 1 << 20;
        private int reaskAttempts = 1;
        private ObjectNode extraBody;
        private int contextTokens = 8192;
        private boolean substringGrammar = true;

        private Builder() {
        }

        /**
         * @param name the member's name in the ensemble; default the model name
         * @return this builder
         */
        public Builder name(String name) {
            if (name == null || name.isBlank() || !name.strip().equals(name)) {
                throw new IllegalArgumentException("name must be non-blank without surrounding spaces");
            }
            this.name = name;
            return this;
        }

        /**
         * Adds the base URL of a server (a replica): {@code http://host:8000/v1} and {@code http://host:8000} mean
         * the same.
         *
         * @param baseUrl an http or https URL without credentials
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            BaseUrl.parse(baseUrl);
            baseUrls.add(baseUrl);
            return this;
        }

        /**
         * Adds several replicas of the model; each attempt goes to the one with the fewest requests in flight.
         *
         * @param urls base URLs
         * @return this builder
         */
        public Builder baseUrls(Collection<String> urls) {
            urls.forEach(this::baseUrl);
            return this;
        }

        /**
         * @param model the model name the server knows, e.g. {@code Qwen/Qwen2.5-7B-Instruct}; required
         * @return this builder
         */
        public Builder model(String model) {
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("model must be non-blank");
            }
            this.model = model;
            return this;
        }

        /**
         * Reads the API key, sent as {@code Authorization: Bearer …}, from this environment variable when the
         * member is built. Default: no key.
         *
         * @param variable the variable's name, e.g. {@code OPENAI_API_KEY}
         * @return this builder
         */
        public Builder apiKeyEnv(String variable) {
            if (variable == null || variable.isBlank()) {
                throw new IllegalArgumentException("apiKeyEnv must name an environment variable");
            }
            this.apiKeyEnv = variable.strip();
            return this;
        }

        /**
         * Sets the API key directly, for programmatic use; prefer {@link #apiKeyEnv(String)}. Never shown.
         *
         * @param key the key
         * @return this builder
         */
        public Builder apiKey(String key) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("the API key must be non-blank");
            }
            this.apiKey = key;
            return this;
        }

        /**
         * Where {@link #apiKeyEnv(String)} looks variables up. Default {@link System#getenv(String)}; tests pass a
         * map's {@code get}.
         *
         * @param environment variable name to value, or null when unset
         * @return this builder
         */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * @param flavor how to ask the server for JSON; default {@link Flavor#AUTO}
         * @return this builder
         */
        public Builder flavor(Flavor flavor) {
            this.flavor = Objects.requireNonNull(flavor, "flavor");
            return this;
        }

        /**
         * @param temperature the sampling temperature for every call; default: the request's (0 in el4ner)
         * @return this builder
         */
        public Builder temperature(double temperature) {
            if (!(temperature >= 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
            }
            this.temperature = temperature;
            return this;
        }

        /**
         * @param maxTokens the most tokens to generate in every stage; default: the request's
         * @return this builder
         */
        public Builder maxTokens(int maxTokens) {
            this.maxTokens = positive("maxTokens", maxTokens);
            return this;
        }

        /**
         * @param stage a stage
         * @param maxTokens the most tokens to generate in that stage
         * @return this builder
         */
        public Builder maxTokens(Stage stage, int maxTokens) {
            stageMaxTokens.put(Objects.requireNonNull(stage, "stage"), positive("maxTokens", maxTokens));
            return this;
        }

        /**
         * @param seed the sampling seed sent with every request; default none
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param timeout how long to wait for a TCP (and TLS) connection; default 10 s
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /**
         * @param timeout the deadline of one HTTP attempt, body included; default 60 s
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /**
         * @param timeout the deadline of one {@link #chat} call, retries and re-asks included; default 120 s
         * @return this builder
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive("callTimeout", timeout);
            return this;
        }

        /**
         * @param stage a stage
         * @param timeout the deadline of one call in that stage
         * @return this builder
         */
        public Builder callTimeout(Stage stage, Duration timeout) {
            stageCallTimeouts.put(Objects.requireNonNull(stage, "stage"), positive("callTimeout", timeout));
            return this;
        }

        /**
         * @param n requests in flight at once from this member, over all its replicas; default 16
         * @return this builder
         */
        public Builder maxConcurrentRequests(int n) {
            this.maxConcurrentRequests = positive("maxConcurrentRequests", n);
            return this;
        }

        /**
         * @param maxAttempts HTTP attempts per call, the first included; default 4
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = positive("maxAttempts", maxAttempts);
            return this;
        }

        /**
         * @param base the delay before the first retry; doubles each retry, with jitter; default 500 ms
         * @param max the longest delay between retries; default 8 s
         * @return this builder
         */
        public Builder retryDelays(Duration base, Duration max) {
            if (base.isNegative() || max.isNegative() || base.compareTo(max) > 0) {
                throw new IllegalArgumentException("retry delays must satisfy 0 <= base <= max, got "
                        + base.toMillis() + " ms and " + max.toMillis() + " ms");
            }
            this.retryBaseDelay = base;
            this.retryMaxDelay = max;
            return this;
        }

        /**
         * @param failureThreshold failed attempts in a row that open a replica's circuit; 0 disables; default 5
         * @param openDuration how long an open circuit refuses calls before one trial call; default 30 s
         * @return this builder
         */
        public Builder circuitBreaker(int failureThreshold, Duration openDuration) {
            if (failureThreshold < 0) {
                throw new IllegalArgumentException("circuitFailureThreshold must be >= 0, got " + failureThreshold);
            }
            this.circuitFailureThreshold = failureThreshold;
            this.circuitOpen = positive("circuitOpen", openDuration);
            return this;
        }

        /**
         * @param bytes the longest response body read; longer ones fail the call; default 1 MiB
         * @return this builder
         */
        public Builder maxResponseBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxResponseBytes must be >= 1024, got " + bytes);
            }
            this.maxResponseBytes = bytes;
            return this;
        }

        /**
         * @param attempts re-asks when a structured answer does not parse as the stage's JSON; 0 disables;
         *                 default 1
         * @return this builder
         */
        public Builder reaskAttempts(int attempts) {
            if (attempts < 0) {
                throw new IllegalArgumentException("reaskAttempts must be >= 0, got " + attempts);
            }
            this.reaskAttempts = attempts;
            return this;
        }

        /**
         * Fields added to every request body as they are (objects merge into the member's own, other values
         * replace them), e.g. {@code {"top_k": 1}} or {@code {"chat_template_kwargs": {"enable_thinking": false}}}.
         *
         * @param extra JSON-like values: strings, numbers, booleans, lists, maps
         * @return this builder
         */
        public Builder extraBody(Map<String, ?> extra) {
            JsonNode node = Json.MAPPER.valueToTree(Objects.requireNonNull(extra, "extraBody"));
            if (!(node instanceof ObjectNode o)) {
                throw new IllegalArgumentException("extraBody must be an object");
            }
            for (String reserved : List.of("messages", "stream")) {
                if (o.has(reserved)) {
                    throw new IllegalArgumentException("extraBody must not set '" + reserved + "'");
                }
            }
            this.extraBody = o;
            return this;
        }

        /**
         * @param tokens the model's context window; default 8192
         * @return this builder
         */
        public Builder contextTokens(int tokens) {
            this.contextTokens = positive("contextTokens", tokens);
            return this;
        }

        /**
         * Whether the {@link Flavor#VLLM} and {@link Flavor#LLAMA_CPP} flavors send, for a stage whose span strings
         * must be substrings of the sentence (extraction), a grammar instead of the JSON Schema: the stage's JSON
         * with every span restricted to the sentence's token-aligned substrings, which the server's grammar engine
         * enforces (vLLM {@code structured_outputs: {"grammar": …}}, llama.cpp {@code grammar}). A sentence whose
         * grammar would exceed 16 KiB (about 500 words) gets the schema alone. Other flavors send the schema either
         * way. Default {@code true}; {@code false} for a server whose grammar backend refuses or mishandles GBNF.
         *
         * @param enabled whether to send the grammar
         * @return this builder
         */
        public Builder substringGrammar(boolean enabled) {
            this.substringGrammar = enabled;
            return this;
        }

        /**
         * @return the member; it opens no connection until its first call
         * @throws IllegalStateException if the model or a base URL is missing, or the API key is given twice
         * @throws El4nerConfigurationException if {@code apiKeyEnv} names a variable that is not set
         */
        public OpenAiCompatibleMember build() {
            if (model == null) {
                throw new IllegalStateException("the model is required");
            }
            if (baseUrls.isEmpty()) {
                throw new IllegalStateException("a base URL is required");
            }
            if (apiKey != null && apiKeyEnv != null) {
                throw new IllegalStateException("give the API key with apiKeyEnv or apiKey, not both");
            }
            if (retryBaseDelay.compareTo(retryMaxDelay) > 0) {
                throw new IllegalStateException("the retry base delay exceeds the maximum delay");
            }
            String key = apiKey;
            String who = "member '" + (name != null ? name : model) + "'";
            if (apiKeyEnv != null) {
                key = environment.apply(apiKeyEnv);
                if (key == null || key.isBlank()) {
                    throw new El4nerConfigurationException(who + ": the environment variable " + apiKeyEnv
                            + " (apiKeyEnv) is not set or empty; set it to the API key, or drop apiKeyEnv if the "
                            + "server needs none");
                }
                key = key.strip();
            }
            if (key != null && !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new El4nerConfigurationException(who + ": the API key"
                        + (apiKeyEnv != null ? " in " + apiKeyEnv : "")
                        + " contains characters an HTTP header cannot carry (spaces, line breaks or non-ASCII)");
            }
            return new OpenAiCompatibleMember(this, key);
        }

        private static int positive(String what, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be > 0, got " + v);
            }
            return v;
        }

        private static Duration positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be a positive duration, got " + d);
            }
            return d;
        }
    }
}
