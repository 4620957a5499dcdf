package io.el4ner.openai;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.Redaction;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.openai.internal.ChatCalls;
import io.el4ner.openai.internal.MemberSettings;
import io.el4ner.openai.internal.SharedHttpClients;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

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
    private final MemberSettings settings;
    private final Redaction.Registration secrets;
    private final SharedHttpClients.Lease client;
    private final ChatCalls calls;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The {@link #chat} calls not yet returned; the secrets stay registered until the last one returns. */
    private final AtomicInteger callsInFlight = new AtomicInteger();

    private OpenAiCompatibleMember(MemberSettings settings) {
        this.settings = settings;
        this.secrets = settings.registerSecrets();
        this.client = SharedHttpClients.lease(settings.connectTimeout());
        this.calls = new ChatCalls(settings, client::client, closed::get);
    }

    /** @return a builder; {@code model} and at least one base URL are required */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return settings.name();
    }

    /** @return the model name sent with every request */
    public String model() {
        return settings.model();
    }

    /** @return the normalised base URLs of the replicas (server roots, without {@code /v1}) */
    public List<String> baseUrls() {
        return settings.baseUrlRoots();
    }

    /** @return the configured flavor ({@link Flavor#AUTO} unless one was set) */
    public Flavor flavor() {
        return settings.flavor();
    }

    /** @return the flavor in use: the configured one, or the detected one once detection ran; else empty */
    public Optional<Flavor> effectiveFlavor() {
        return calls.effectiveFlavor();
    }

    @Override
    public int contextTokens() {
        return settings.contextTokens();
    }

    /** @return whether vLLM and llama.cpp servers get a grammar that keeps span strings to the sentence */
    public boolean substringGrammar() {
        return settings.substringGrammar();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        callsInFlight.incrementAndGet();
        try {
            if (closed.get()) {
                throw calls.closed();
            }
            return calls.chat(request);
        } finally {
            // The last call of a closed member forgets its secrets: not before, or a call finishing after close()
            // (a 500 body quoting the key) would build its message with the key unmasked.
            if (callsInFlight.decrementAndGet() == 0 && closed.get()) {
                secrets.close();
            }
        }
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
            calls.cancelAll();
            client.close();
            if (callsInFlight.get() == 0) {
                secrets.close(); // idempotent: a call that returns meanwhile may close them too
            }
        }
    }

    @Override
    public String toString() {
        String key = settings.apiKey() == null ? "none" : settings.apiKeyEnv() != null
                ? "from $" + settings.apiKeyEnv() : "set";
        return Redaction.redact("OpenAiCompatibleMember[name=" + name() + ", model=" + model() + ", baseUrls="
                + baseUrls() + ", flavor=" + calls.describeFlavor() + ", apiKey=" + key + "]");
    }

    /**
     * Builds an {@link OpenAiCompatibleMember}. Unset settings take the defaults documented on each method.
     * Settings are checked when set ({@link IllegalArgumentException}) and together in {@link #build()}.
     */
    public static final class Builder {
        private final MemberSettings settings = new MemberSettings();

        private Builder() {
        }

        /**
         * @param name the member's name in the ensemble; default the model name
         * @return this builder
         */
        public Builder name(String name) {
            settings.name(name);
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
            settings.baseUrl(baseUrl);
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
            settings.model(model);
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
            settings.apiKeyEnv(variable);
            return this;
        }

        /**
         * Sets the API key directly, for programmatic use; prefer {@link #apiKeyEnv(String)}. Never shown.
         *
         * @param key the key
         * @return this builder
         */
        public Builder apiKey(String key) {
            settings.apiKey(key);
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
            settings.environment(environment);
            return this;
        }

        /**
         * @param flavor how to ask the server for JSON; default {@link Flavor#AUTO}
         * @return this builder
         */
        public Builder flavor(Flavor flavor) {
            settings.flavor(flavor);
            return this;
        }

        /**
         * @param temperature the sampling temperature for every call; default: the request's (0 in el4ner)
         * @return this builder
         */
        public Builder temperature(double temperature) {
            settings.temperature(temperature);
            return this;
        }

        /**
         * @param maxTokens the most tokens to generate in every stage; default: the request's
         * @return this builder
         */
        public Builder maxTokens(int maxTokens) {
            settings.maxTokens(null, maxTokens);
            return this;
        }

        /**
         * @param stage a stage
         * @param maxTokens the most tokens to generate in that stage
         * @return this builder
         */
        public Builder maxTokens(Stage stage, int maxTokens) {
            settings.maxTokens(Objects.requireNonNull(stage, "stage"), maxTokens);
            return this;
        }

        /**
         * @param seed the sampling seed sent with every request; default none
         * @return this builder
         */
        public Builder seed(long seed) {
            settings.seed(seed);
            return this;
        }

        /**
         * @param timeout how long to wait for a TCP (and TLS) connection; default 10 s
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            settings.connectTimeout(timeout);
            return this;
        }

        /**
         * @param timeout the deadline of one HTTP attempt, body included; default 60 s
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            settings.requestTimeout(timeout);
            return this;
        }

        /**
         * @param timeout the deadline of one {@link #chat} call, retries and re-asks included; default 120 s
         * @return this builder
         */
        public Builder callTimeout(Duration timeout) {
            settings.callTimeout(null, timeout);
            return this;
        }

        /**
         * @param stage a stage
         * @param timeout the deadline of one call in that stage
         * @return this builder
         */
        public Builder callTimeout(Stage stage, Duration timeout) {
            settings.callTimeout(Objects.requireNonNull(stage, "stage"), timeout);
            return this;
        }

        /**
         * @param n requests in flight at once from this member, over all its replicas; default 16
         * @return this builder
         */
        public Builder maxConcurrentRequests(int n) {
            settings.maxConcurrentRequests(n);
            return this;
        }

        /**
         * @param maxAttempts HTTP attempts per call, the first included; default 4
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            settings.maxAttempts(maxAttempts);
            return this;
        }

        /**
         * @param base the delay before the first retry; doubles each retry, with jitter; default 500 ms
         * @param max the longest delay between retries; default 8 s
         * @return this builder
         */
        public Builder retryDelays(Duration base, Duration max) {
            settings.retryDelays(base, max);
            return this;
        }

        /**
         * @param failureThreshold failed attempts in a row that open a replica's circuit; 0 disables; default 5
         * @param openDuration how long an open circuit refuses calls before one trial call; default 30 s
         * @return this builder
         */
        public Builder circuitBreaker(int failureThreshold, Duration openDuration) {
            settings.circuitBreaker(failureThreshold, openDuration);
            return this;
        }

        /**
         * @param bytes the longest response body read; longer ones fail the call; default 1 MiB
         * @return this builder
         */
        public Builder maxResponseBytes(long bytes) {
            settings.maxResponseBytes(bytes);
            return this;
        }

        /**
         * @param attempts re-asks when a structured answer does not parse as the stage's JSON; 0 disables;
         *                 default 1
         * @return this builder
         */
        public Builder reaskAttempts(int attempts) {
            settings.reaskAttempts(attempts);
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
            settings.extraBody(extra);
            return this;
        }

        /**
         * @param tokens the model's context window; default 8192
         * @return this builder
         */
        public Builder contextTokens(int tokens) {
            settings.contextTokens(tokens);
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
            settings.substringGrammar(enabled);
            return this;
        }

        /**
         * @return the member; it opens no connection until its first call
         * @throws IllegalStateException if the model or a base URL is missing, or the API key is given twice
         * @throws El4nerConfigurationException if {@code apiKeyEnv} names a variable that is not set
         */
        public OpenAiCompatibleMember build() {
            return new OpenAiCompatibleMember(settings.resolve());
        }
    }
}
