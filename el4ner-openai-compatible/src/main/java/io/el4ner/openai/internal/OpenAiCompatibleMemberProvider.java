package io.el4ner.openai.internal;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.openai.Flavor;
import io.el4ner.openai.OpenAiCompatibleMember;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code openai-compatible} member provider: creates an {@link OpenAiCompatibleMember} from configuration
 * parameters. The parameters, their types and defaults are listed in the module's README; unknown parameters are
 * rejected with their name. Found through {@link java.util.ServiceLoader}; not exported.
 */
public final class OpenAiCompatibleMemberProvider implements ModelMemberProvider {
    /** The provider's name. */
    public static final String NAME = "openai-compatible";

    /** The parameters the provider reads. */
    public static final Set<String> PARAMETERS = Set.of("name", "baseUrl", "baseUrls", "model", "apiKeyEnv",
            "flavor", "temperature", "maxTokens", "seed", "connectTimeoutSeconds", "requestTimeoutSeconds",
            "callTimeoutSeconds", "maxConcurrentRequests", "maxAttempts", "retryBaseDelaySeconds",
            "retryMaxDelaySeconds", "circuitFailureThreshold", "circuitOpenSeconds", "maxResponseBytes",
            "reaskAttempts", "extraBody", "contextTokens", "substringGrammar");

    private final Function<String, String> environment;

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public OpenAiCompatibleMemberProvider() {
        this(System::getenv);
    }

    /** @param environment where {@code apiKeyEnv} is looked up (tests) */
    public OpenAiCompatibleMemberProvider(Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ModelMember create(ComponentConfig config) {
        config.requireOnly(PARAMETERS);
        String c = config.component();
        Map<String, Object> p = config.parameters();
        OpenAiCompatibleMember.Builder b = OpenAiCompatibleMember.builder().environment(environment);
        String model = config.requireString("model");
        config.apply("model", () -> b.model(model));
        config.string("name").ifPresent(n -> config.apply("name", () -> b.name(n)));

        Object one = p.get("baseUrl");
        Object many = p.get("baseUrls");
        if (one != null && many != null) {
            throw new El4nerConfigurationException(c + ": give 'baseUrl' or 'baseUrls', not both");
        }
        if (one == null && many == null) {
            throw new El4nerConfigurationException(c + ": missing required parameter 'baseUrl' (the server's URL, "
                    + "e.g. \"http://localhost:8000/v1\"), or 'baseUrls' (a list of replicas of one model)");
        }
        if (one != null) {
            String url = config.requireString("baseUrl");
            config.apply("baseUrl", () -> b.baseUrl(url));
        } else {
            if (!(many instanceof List<?> list) || list.isEmpty()
                    || !list.stream().allMatch(String.class::isInstance)) {
                throw new El4nerConfigurationException(c + ": parameter 'baseUrls' must be a non-empty list of "
                        + "URL strings, got " + Redaction.redactUrls(String.valueOf(many)));
            }
            for (Object u : list) {
                config.apply("baseUrls", () -> b.baseUrl((String) u));
            }
        }
        config.string("apiKeyEnv").ifPresent(v -> config.apply("apiKeyEnv", () -> b.apiKeyEnv(v)));
        config.string("flavor").ifPresent(v -> config.apply("flavor", () -> b.flavor(Flavor.parse(v))));
        if (p.containsKey("temperature")) {
            double t = config.decimal("temperature", 0);
            config.apply("temperature", () -> b.temperature(t));
        }
        perStage(config, "maxTokens", "an integer or an object of integers per stage",
                v -> v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                        && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE,
                v -> b.maxTokens(((Number) v).intValue()), (s, v) -> b.maxTokens(s, ((Number) v).intValue()));
        perStage(config, "callTimeoutSeconds", "a number of seconds or an object of numbers per stage",
                v -> v instanceof Number, v -> b.callTimeout(seconds("callTimeoutSeconds", v)),
                (s, v) -> b.callTimeout(s, seconds("callTimeoutSeconds", v)));
        if (p.containsKey("seed")) {
            int seed = config.integer("seed", 0);
            b.seed(seed);
        }
        if (p.containsKey("connectTimeoutSeconds")) {
            Duration d = seconds(c, config, "connectTimeoutSeconds");
            config.apply("connectTimeoutSeconds", () -> b.connectTimeout(d));
        }
        if (p.containsKey("requestTimeoutSeconds")) {
            Duration d = seconds(c, config, "requestTimeoutSeconds");
            config.apply("requestTimeoutSeconds", () -> b.requestTimeout(d));
        }
        if (p.containsKey("maxConcurrentRequests")) {
            int n = config.integer("maxConcurrentRequests", 0);
            config.apply("maxConcurrentRequests", () -> b.maxConcurrentRequests(n));
        }
        if (p.containsKey("maxAttempts")) {
            int n = config.integer("maxAttempts", 0);
            config.apply("maxAttempts", () -> b.maxAttempts(n));
        }
        if (p.containsKey("retryBaseDelaySeconds") || p.containsKey("retryMaxDelaySeconds")) {
            Duration base = p.containsKey("retryBaseDelaySeconds")
                    ? seconds(c, config, "retryBaseDelaySeconds") : Duration.ofMillis(500);
            Duration max = p.containsKey("retryMaxDelaySeconds")
                    ? seconds(c, config, "retryMaxDelaySeconds") : Duration.ofSeconds(8);
            config.apply("retryBaseDelaySeconds", () -> b.retryDelays(base, max.compareTo(base) < 0 && !p.containsKey(
                    "retryMaxDelaySeconds") ? base : max));
        }
        if (p.containsKey("circuitFailureThreshold") || p.containsKey("circuitOpenSeconds")) {
            int threshold = config.integer("circuitFailureThreshold", 5);
            Duration open = p.containsKey("circuitOpenSeconds")
                    ? seconds(c, config, "circuitOpenSeconds") : Duration.ofSeconds(30);
            config.apply("circuitFailureThreshold", () -> b.circuitBreaker(threshold, open));
        }
        if (p.containsKey("maxResponseBytes")) {
            int n = config.integer("maxResponseBytes", 0);
            config.apply("maxResponseBytes", () -> b.maxResponseBytes(n));
        }
        if (p.containsKey("reaskAttempts")) {
            int n = config.integer("reaskAttempts", 0);
            config.apply("reaskAttempts", () -> b.reaskAttempts(n));
        }
        if (p.containsKey("contextTokens")) {
            int n = config.integer("contextTokens", 0);
            config.apply("contextTokens", () -> b.contextTokens(n));
        }
        if (p.containsKey("substringGrammar")) {
            b.substringGrammar(config.bool("substringGrammar", true));
        }
        if (p.containsKey("extraBody")) {
            Object extra = p.get("extraBody");
            if (!(extra instanceof Map<?, ?> m)) {
                throw new El4nerConfigurationException(c + ": parameter 'extraBody' must be an object of request "
                        + "fields, e.g. {\"top_k\": 1}");
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> fields = (Map<String, ?>) m;
            config.apply("extraBody", () -> b.extraBody(fields));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new El4nerConfigurationException(c + ": " + e.getMessage(), e);
        }
    }


    private static Duration seconds(String component, ComponentConfig config, String key) {
        double s = config.decimal(key, 0);
        try {
            return seconds(key, s);
        } catch (IllegalArgumentException e) {
            throw new El4nerConfigurationException(component + ": parameter '" + key + "' " + e.getMessage());
        }
    }

    private static Duration seconds(String key, Object value) {
        double s = ((Number) value).doubleValue();
        if (!(s > 0) || s > 86_400 * 365) {
            throw new IllegalArgumentException("must be a number of seconds > 0, got " + value);
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    private static void perStage(ComponentConfig config, String key, String expected,
                                 java.util.function.Predicate<Object> valid, java.util.function.Consumer<Object> all,
                                 BiConsumer<Stage, Object> one) {
        String c = config.component();
        Object v = config.parameters().get(key);
        if (v == null) {
            return;
        }
        if (v instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Stage stage = stage(c, key, String.valueOf(e.getKey()));
                if (!valid.test(e.getValue())) {
                    throw new El4nerConfigurationException(c + ": parameter '" + key + "." + e.getKey()
                            + "' must be " + expected + ", got " + e.getValue());
                }
                config.apply(key, () -> one.accept(stage, e.getValue()));
            }
            return;
        }
        if (!valid.test(v)) {
            throw new El4nerConfigurationException(c + ": parameter '" + key + "' must be " + expected + ", got "
                    + v);
        }
        config.apply(key, () -> all.accept(v));
    }

    private static Stage stage(String component, String key, String text) {
        String t = text.strip().replaceAll("([a-z])([A-Z])", "$1_$2").replace('-', '_').toUpperCase(Locale.ROOT);
        for (Stage s : Stage.values()) {
            if (s.name().equals(t)) {
                return s;
            }
        }
        throw new El4nerConfigurationException(component + ": parameter '" + key + "' names an unknown stage '"
                + text + "'; stages: " + Arrays.stream(Stage.values())
                .map(s -> s.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(", ")));
    }
}
