package io.el4ner.core.internal.retrieval;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.RetrieverProvider;
import io.el4ner.api.spi.SentenceEncoder;
import io.el4ner.api.spi.SentenceEncoderProvider;
import io.el4ner.core.internal.Providers;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Provider {@code span-sim}, priority -10 (below {@code token-overlap}, so it is never chosen without being
 * named: it needs an encoder model). It reads its parameters into {@link SpanSimOptions}, finds the encoder, and
 * makes a {@link SpanSimRetriever} that owns that encoder. Parameters, all optional:
 * <ul>
 *   <li>{@code encoder}: {@code {"provider": name, "parameters": {...}}}, the {@link SentenceEncoderProvider}
 *       to use; default {@code {"provider": "onnx-sentence"}};</li>
 *   <li>{@code spanVectors}: {@code "text"} (each span encoded alone, the default, as in the reference
 *       implementation) or {@code "context"} (in its sentence);</li>
 *   <li>{@code index}: a file path; loaded when it exists (it must match the encoder, span mode and pool),
 *       else the index is built and saved there;</li>
 *   <li>{@code quantize}: {@code true} for the int8 scan with exact rescoring; default false;</li>
 *   <li>{@code threads}: threads one search may use; default the available processors, at most 8;</li>
 *   <li>{@code approximate}: {@code "auto"} (the default: above {@value SpanSimOptions#AUTO_APPROXIMATE_ABOVE} pool
 *       sentences), {@code "never"} or {@code "always"};</li>
 *   <li>{@code probes}: IVF lists probed per span; default {@value SpanSimOptions#DEFAULT_PROBES};</li>
 *   <li>{@code weights}: {@code {"properNoun": 4, "commonNoun": 2, "pronoun": 1}} (the defaults), see
 *       {@link EnglishSpanWeigher};</li>
 *   <li>{@code spanCache}: query span vectors kept for later queries, {@code text} span vectors only; default
 *       {@value SpanSimOptions#DEFAULT_SPAN_CACHE}, 0 for none.</li>
 * </ul>
 */
public final class SpanSimRetrieverProvider implements RetrieverProvider {
    /** The provider's name. */
    public static final String NAME = "span-sim";
    /** The default encoder provider. */
    public static final String DEFAULT_ENCODER = "onnx-sentence";
    private static final Set<String> KNOWN = Set.of("encoder", "spanVectors", "index", "quantize", "threads",
            "approximate", "probes", "weights", "spanCache");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -10;
    }

    @Override
    public Retriever create(ComponentConfig config) {
        config.requireOnly(KNOWN);
        String c = config.component();
        if (config.pool().isEmpty()) {
            throw new El4nerConfigurationException(c + ": the demonstration pool is empty; give demonstrations, "
                    + "or use no retriever (zero-shot)");
        }
        String modeName = config.string("spanVectors").orElse("text");
        PoolIndex.SpanMode mode = switch (modeName) {
            case "text" -> PoolIndex.SpanMode.TEXT;
            case "context" -> PoolIndex.SpanMode.CONTEXT;
            default -> throw new El4nerConfigurationException(c + ": parameter 'spanVectors' must be \"text\" or "
                    + "\"context\", got \"" + modeName + "\"");
        };
        String approxName = config.string("approximate").orElse("auto");
        SpanSimOptions.Approximate approx = switch (approxName) {
            case "auto" -> SpanSimOptions.Approximate.AUTO;
            case "never" -> SpanSimOptions.Approximate.NEVER;
            case "always" -> SpanSimOptions.Approximate.ALWAYS;
            default -> throw new El4nerConfigurationException(c + ": parameter 'approximate' must be \"auto\", "
                    + "\"never\" or \"always\", got \"" + approxName + "\"");
        };
        int threads = config.integer("threads", SpanSimOptions.defaultThreads());
        if (threads < 1) {
            throw new El4nerConfigurationException(c + ": parameter 'threads' must be >= 1, got " + threads);
        }
        int probes = config.integer("probes", SpanSimOptions.DEFAULT_PROBES);
        if (probes < 1) {
            throw new El4nerConfigurationException(c + ": parameter 'probes' must be >= 1, got " + probes);
        }
        Path file = config.path("index").orElse(null);
        int spanCache = config.integer("spanCache", SpanSimOptions.DEFAULT_SPAN_CACHE);
        if (spanCache < 0) {
            throw new El4nerConfigurationException(c + ": parameter 'spanCache' must be >= 0, got " + spanCache);
        }
        SpanSimOptions options = new SpanSimOptions(mode, weigher(config), file, config.bool("quantize", false),
                threads, approx, probes, spanCache);

        String encoderName = DEFAULT_ENCODER;
        Map<String, Object> encoderParameters = Map.of();
        Object e = config.parameters().get("encoder");
        if (e != null) {
            if (!(e instanceof Map<?, ?> m)) {
                throw new El4nerConfigurationException(c + ": parameter 'encoder' must be an object "
                        + "{\"provider\": name, \"parameters\": {...}}, got " + e);
            }
            for (Object key : m.keySet()) {
                if (!"provider".equals(key) && !"parameters".equals(key)) {
                    throw new El4nerConfigurationException(c + ": parameter 'encoder' has an unknown field '" + key
                            + "'; known fields: [parameters, provider]");
                }
            }
            Object p = m.get("provider");
            if (p != null) {
                if (!(p instanceof String s) || s.isBlank()) {
                    throw new El4nerConfigurationException(c + ": 'encoder.provider' must be a provider name, "
                            + "got " + p);
                }
                encoderName = s;
            }
            Object params = m.get("parameters");
            if (params != null) {
                if (!(params instanceof Map<?, ?> pm)) {
                    throw new El4nerConfigurationException(c + ": 'encoder.parameters' must be an object, got "
                            + params);
                }
                Map<String, Object> copy = new LinkedHashMap<>();
                pm.forEach((k, v) -> copy.put(String.valueOf(k), v));
                encoderParameters = copy;
            }
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = SpanSimRetriever.class.getClassLoader();
        }
        SentenceEncoderProvider ep;
        try {
            ep = Providers.byName(SentenceEncoderProvider.class, encoderName, loader);
        } catch (El4nerConfigurationException ex) {
            if (!encoderName.equals(DEFAULT_ENCODER)) {
                throw ex;
            }
            throw new El4nerConfigurationException(c + ": its default encoder '" + DEFAULT_ENCODER + "' comes "
                    + "with io.el4ner:el4ner-onnx, which is not on the class path; add that dependency, or name "
                    + "another encoder with the parameter 'encoder' (" + ex.getMessage() + ")", ex);
        }
        SentenceEncoder encoder = ep.create(config.nested(c + " encoder '" + encoderName + "'",
                encoderParameters));
        try {
            return new SpanSimRetriever(config.pool(), encoder, true, options);
        } catch (RuntimeException ex) {
            try {
                encoder.close();
            } catch (RuntimeException suppressed) {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }

    private static SpanWeigher weigher(ComponentConfig config) {
        Object w = config.parameters().get("weights");
        if (w == null) {
            return EnglishSpanWeigher.DEFAULT;
        }
        String c = config.component();
        if (!(w instanceof Map<?, ?> m)) {
            throw new El4nerConfigurationException(c + ": parameter 'weights' must be an object "
                    + "{\"properNoun\": 4, \"commonNoun\": 2, \"pronoun\": 1}, got " + w);
        }
        double[] values = {4, 2, 1};
        List<String> names = List.of("properNoun", "commonNoun", "pronoun");
        for (Map.Entry<?, ?> en : m.entrySet()) {
            int at = names.indexOf(String.valueOf(en.getKey()));
            if (at < 0) {
                throw new El4nerConfigurationException(c + ": parameter 'weights' has an unknown field '"
                        + en.getKey() + "'; known fields: " + names);
            }
            if (!(en.getValue() instanceof Number num) || !(num.doubleValue() >= 0)
                    || Double.isInfinite(num.doubleValue())) {
                throw new El4nerConfigurationException(c + ": 'weights." + en.getKey() + "' must be a number >= 0,"
                        + " got " + en.getValue());
            }
            values[at] = num.doubleValue();
        }
        return new EnglishSpanWeigher(values[0], values[1], values[2]);
    }
}
