package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.openai.Flavor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The settings of one member: what its builder was given, each value checked as it is set (an
 * {@link IllegalArgumentException} naming the setting), and, once {@link #resolve() resolved} when the member is
 * built, the member's own frozen copy with the API key read and the base URLs parsed. The defaults are those the
 * builder documents.
 */
public final class MemberSettings {
    private String name;
    private final List<String> baseUrlTexts = new ArrayList<>();
    private List<BaseUrl> baseUrls = List.of();
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

    /** Settings with every default. */
    public MemberSettings() {
    }

    private MemberSettings(MemberSettings o) {
        name = o.name != null ? o.name : o.model;
        baseUrlTexts.addAll(o.baseUrlTexts);
        model = o.model;
        apiKeyEnv = o.apiKeyEnv;
        apiKey = o.apiKey;
        environment = o.environment;
        flavor = o.flavor;
        temperature = o.temperature;
        maxTokens = o.maxTokens;
        stageMaxTokens.putAll(o.stageMaxTokens);
        seed = o.seed;
        connectTimeout = o.connectTimeout;
        requestTimeout = o.requestTimeout;
        callTimeout = o.callTimeout;
        stageCallTimeouts.putAll(o.stageCallTimeouts);
        maxConcurrentRequests = o.maxConcurrentRequests;
        maxAttempts = o.maxAttempts;
        retryBaseDelay = o.retryBaseDelay;
        retryMaxDelay = o.retryMaxDelay;
        circuitFailureThreshold = o.circuitFailureThreshold;
        circuitOpen = o.circuitOpen;
        maxResponseBytes = o.maxResponseBytes;
        reaskAttempts = o.reaskAttempts;
        extraBody = o.extraBody == null ? null : o.extraBody.deepCopy();
        contextTokens = o.contextTokens;
        substringGrammar = o.substringGrammar;
    }

    /* --- setters: each checks its value --- */

    /** @param name the member's name */
    public void name(String name) {
        if (name == null || name.isBlank() || !name.strip().equals(name)) {
            throw new IllegalArgumentException("name must be non-blank without surrounding spaces");
        }
        this.name = name;
    }

    /** @param baseUrl a replica's base URL */
    public void baseUrl(String baseUrl) {
        BaseUrl.parse(baseUrl);
        baseUrlTexts.add(baseUrl);
    }

    /** @param model the model name */
    public void model(String model) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must be non-blank");
        }
        this.model = model;
    }

    /** @param variable the environment variable holding the API key */
    public void apiKeyEnv(String variable) {
        if (variable == null || variable.isBlank()) {
            throw new IllegalArgumentException("apiKeyEnv must name an environment variable");
        }
        this.apiKeyEnv = variable.strip();
    }

    /** @param key the API key */
    public void apiKey(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("the API key must be non-blank");
        }
        this.apiKey = key;
    }

    /** @param environment where {@code apiKeyEnv} is looked up */
    public void environment(Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** @param flavor how to ask the server for JSON */
    public void flavor(Flavor flavor) {
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    /** @param temperature the sampling temperature */
    public void temperature(double temperature) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        this.temperature = temperature;
    }

    /**
     * @param stage a stage, or null for every stage
     * @param maxTokens the most tokens to generate
     */
    public void maxTokens(Stage stage, int maxTokens) {
        int n = positive("maxTokens", maxTokens);
        if (stage == null) {
            this.maxTokens = n;
        } else {
            stageMaxTokens.put(stage, n);
        }
    }

    /** @param seed the sampling seed */
    public void seed(long seed) {
        this.seed = seed;
    }

    /** @param timeout the connect timeout */
    public void connectTimeout(Duration timeout) {
        this.connectTimeout = positive("connectTimeout", timeout);
    }

    /** @param timeout the deadline of one HTTP attempt */
    public void requestTimeout(Duration timeout) {
        this.requestTimeout = positive("requestTimeout", timeout);
    }

    /**
     * @param stage a stage, or null for every stage
     * @param timeout the deadline of one call
     */
    public void callTimeout(Stage stage, Duration timeout) {
        Duration d = positive("callTimeout", timeout);
        if (stage == null) {
            this.callTimeout = d;
        } else {
            stageCallTimeouts.put(stage, d);
        }
    }

    /** @param n requests in flight at once */
    public void maxConcurrentRequests(int n) {
        this.maxConcurrentRequests = positive("maxConcurrentRequests", n);
    }

    /** @param maxAttempts HTTP attempts per call */
    public void maxAttempts(int maxAttempts) {
        this.maxAttempts = positive("maxAttempts", maxAttempts);
    }

    /**
     * @param base the delay before the first retry
     * @param max the longest delay between retries
     */
    public void retryDelays(Duration base, Duration max) {
        if (base.isNegative() || max.isNegative() || base.compareTo(max) > 0) {
            throw new IllegalArgumentException("retry delays must satisfy 0 <= base <= max, got "
                    + base.toMillis() + " ms and " + max.toMillis() + " ms");
        }
        this.retryBaseDelay = base;
        this.retryMaxDelay = max;
    }

    /**
     * @param failureThreshold failed attempts in a row that open a replica's circuit; 0 disables
     * @param openDuration how long an open circuit refuses calls
     */
    public void circuitBreaker(int failureThreshold, Duration openDuration) {
        if (failureThreshold < 0) {
            throw new IllegalArgumentException("circuitFailureThreshold must be >= 0, got " + failureThreshold);
        }
        this.circuitFailureThreshold = failureThreshold;
        this.circuitOpen = positive("circuitOpen", openDuration);
    }

    /** @param bytes the longest response body read */
    public void maxResponseBytes(long bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("maxResponseBytes must be >= 1024, got " + bytes);
        }
        this.maxResponseBytes = bytes;
    }

    /** @param attempts re-asks when a structured answer does not parse */
    public void reaskAttempts(int attempts) {
        if (attempts < 0) {
            throw new IllegalArgumentException("reaskAttempts must be >= 0, got " + attempts);
        }
        this.reaskAttempts = attempts;
    }

    /** @param extra fields added to every request body */
    public void extraBody(Map<String, ?> extra) {
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
    }

    /** @param tokens the model's context window */
    public void contextTokens(int tokens) {
        this.contextTokens = positive("contextTokens", tokens);
    }

    /** @param enabled whether vLLM and llama.cpp get substring grammars */
    public void substringGrammar(boolean enabled) {
        this.substringGrammar = enabled;
    }

    /**
     * Checks the settings together, reads the API key and parses the base URLs.
     *
     * @return the member's frozen copy; these settings are not changed
     * @throws IllegalStateException if the model or a base URL is missing, or the API key is given twice
     * @throws El4nerConfigurationException if {@code apiKeyEnv} names a variable that is not set, or the key cannot
     *     be an HTTP header
     * @throws IllegalArgumentException if a base URL is listed twice
     */
    public MemberSettings resolve() {
        if (model == null) {
            throw new IllegalStateException("the model is required");
        }
        if (baseUrlTexts.isEmpty()) {
            throw new IllegalStateException("a base URL is required");
        }
        if (apiKey != null && apiKeyEnv != null) {
            throw new IllegalStateException("give the API key with apiKeyEnv or apiKey, not both");
        }
        if (retryBaseDelay.compareTo(retryMaxDelay) > 0) {
            throw new IllegalStateException("the retry base delay exceeds the maximum delay");
        }
        MemberSettings r = new MemberSettings(this);
        String who = "member '" + r.name + "'";
        if (apiKeyEnv != null) {
            String key = environment.apply(apiKeyEnv);
            if (key == null || key.isBlank()) {
                throw new El4nerConfigurationException(who + ": the environment variable " + apiKeyEnv
                        + " (apiKeyEnv) is not set or empty; set it to the API key, or drop apiKeyEnv if the "
                        + "server needs none");
            }
            r.apiKey = key.strip();
        }
        if (r.apiKey != null && !r.apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new El4nerConfigurationException(who + ": the API key"
                    + (apiKeyEnv != null ? " in " + apiKeyEnv : "")
                    + " contains characters an HTTP header cannot carry (spaces, line breaks or non-ASCII)");
        }
        List<BaseUrl> urls = new ArrayList<>();
        for (String u : baseUrlTexts) {
            BaseUrl url = BaseUrl.parse(u);
            if (urls.contains(url)) {
                throw new IllegalArgumentException("baseUrls lists " + url + " twice");
            }
            urls.add(url);
        }
        r.baseUrls = List.copyOf(urls);
        return r;
    }

    /* --- what a resolved member reads --- */

    /** @return the member's name: the one set, else (once resolved) the model's */
    public String name() {
        return name;
    }

    /** @return the parsed base URLs (once resolved) */
    List<BaseUrl> baseUrls() {
        return baseUrls;
    }

    /** @return the normalised base URLs (server roots, without {@code /v1}; once resolved) */
    public List<String> baseUrlRoots() {
        return baseUrls.stream().map(BaseUrl::root).toList();
    }

    /** @return the model name */
    public String model() {
        return model;
    }

    /** @return the variable the API key comes from, or null */
    public String apiKeyEnv() {
        return apiKeyEnv;
    }

    /** @return the API key (once resolved, also one read from the environment), or null */
    public String apiKey() {
        return apiKey;
    }

    /** @return the configured flavor */
    public Flavor flavor() {
        return flavor;
    }

    /**
     * @param stage the call's stage
     * @param options the request's options, for what the member does not set
     * @return the decoding settings of a call
     */
    RequestBodies.Decoding decoding(Stage stage, GenerationOptions options) {
        double temp = temperature != null ? temperature : options.temperature();
        int tokens = stageMaxTokens.getOrDefault(stage, maxTokens != null ? maxTokens : options.maxTokens());
        return new RequestBodies.Decoding(model, temp, tokens, seed);
    }

    /** @return the connect timeout */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return the deadline of one HTTP attempt */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * @param stage a stage
     * @return the deadline of one call in that stage
     */
    public Duration callTimeout(Stage stage) {
        return stageCallTimeouts.getOrDefault(stage, callTimeout);
    }

    /** @return requests in flight at once */
    public int maxConcurrentRequests() {
        return maxConcurrentRequests;
    }

    /** @return HTTP attempts per call */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return the delays between attempts */
    Backoff backoff() {
        return new Backoff(retryBaseDelay, retryMaxDelay);
    }

    /** @return a new circuit breaker for one replica */
    CircuitBreaker newCircuitBreaker() {
        return new CircuitBreaker(circuitFailureThreshold, circuitOpen);
    }

    /** @return the longest response body read */
    public long maxResponseBytes() {
        return maxResponseBytes;
    }

    /** @return re-asks per call */
    public int reaskAttempts() {
        return reaskAttempts;
    }

    /** @return the fields merged into every request body, or null; not to be changed */
    public ObjectNode extraBody() {
        return extraBody;
    }

    /** @return the model's context window */
    public int contextTokens() {
        return contextTokens;
    }

    /** @return whether vLLM and llama.cpp get substring grammars */
    public boolean substringGrammar() {
        return substringGrammar;
    }

    /**
     * Registers the secret values the member sends (its API key and the secret strings in {@code extraBody}) with
     * {@link Redaction}, so that no message or log line shows them.
     *
     * @return the registration; closing it forgets them
     */
    public Redaction.Registration registerSecrets() {
        return SecretValues.registerAll(secrets());
    }

    List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        if (apiKey != null) {
            secrets.add(apiKey);
        }
        secrets.addAll(SecretValues.inJson(extraBody));
        return secrets;
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
