package io.el4ner.onnx.internal;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.el4ner.api.El4nerConfigurationException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory a decoder member's caches may take, fitted to the JVM's limits when the member is built, so that a
 * default or too large budget is lowered (with a WARN that says what to set) instead of ending calls in an
 * {@link OutOfMemoryError} later.
 *
 * <p><b>Direct memory</b> ({@code -XX:MaxDirectMemorySize}, by default as large as the heap's {@code -Xmx}) holds
 * the KV cache of the batch being decoded whenever rows join or leave it (then the old and the new cache are both
 * alive: twice the KV budget) and the engine's logits buffer ({@code max(maxBatchSize, prefillChunkTokens) ×
 * vocabulary} values). One sixteenth of the limit is left for other direct buffers (ONNX Runtime's input copies,
 * other libraries). <b>The heap</b> ({@code -Xmx}) holds the prefix cache; it may take a quarter of the heap.
 *
 * @param kvCacheBytes the KV budget of the batch, in bytes
 * @param prefixCacheBytes the prefix cache's budget, in bytes
 * @param logitsBytes the largest logits buffer the engine allocates, in bytes
 */
public record DecoderMemory(long kvCacheBytes, long prefixCacheBytes, long logitsBytes) {
    private static final Logger log = LoggerFactory.getLogger(DecoderMemory.class);
    private static final long MIB = 1L << 20;

    /**
     * Fits the budgets asked for to the JVM's limits.
     *
     * @param what the model, for messages
     * @param kvCacheBytes the KV budget asked for
     * @param prefixCacheBytes the prefix cache budget asked for
     * @param signature the model's signature (vocabulary, logits type, KV bytes per token)
     * @param maxRows the most rows decoded together
     * @param chunk the prefill chunk in tokens
     * @param directLimit the JVM's direct memory limit ({@link #directMemoryLimit()})
     * @param heapLimit the JVM's heap limit ({@link Runtime#maxMemory()})
     * @param warnings receives one message per budget lowered
     * @return the budgets to use
     * @throws El4nerConfigurationException if the logits of {@code maxRows} or {@code chunk} positions do not fit
     *     one Java buffer, or the logits buffer and a KV cache of one token do not fit the direct memory
     */
    public static DecoderMemory fit(String what, long kvCacheBytes, long prefixCacheBytes, DecoderSignature signature,
                                    int maxRows, int chunk, long directLimit, long heapLimit, List<String> warnings) {
        long rowBytes = (long) signature.vocab() * logitsElementBytes(signature);
        for (int i = 0; i < 2; i++) {
            String parameter = i == 0 ? "maxBatchSize" : "prefillChunkTokens";
            int value = i == 0 ? maxRows : chunk;
            if (value * rowBytes > Integer.MAX_VALUE) {
                throw new El4nerConfigurationException(what + ": " + parameter + " " + value + " x vocabulary "
                        + signature.vocab() + " x " + logitsElementBytes(signature) + " bytes of logits is "
                        + mib(value * rowBytes) + " MiB, more than one Java buffer holds (2 GiB); set " + parameter
                        + " to at most " + Integer.MAX_VALUE / rowBytes);
            }
        }
        long logitsBytes = Math.max(maxRows, chunk) * rowBytes;
        long reserve = directLimit / 16;
        long kvLimit = (directLimit - reserve - logitsBytes) / 2;
        if (kvLimit < signature.bytesPerToken()) {
            throw new El4nerConfigurationException(what + " needs " + size(logitsBytes) + " of direct memory for "
                    + "its logits buffer (max(maxBatchSize " + maxRows + ", prefillChunkTokens " + chunk + ") x "
                    + "vocabulary " + signature.vocab() + " x " + logitsElementBytes(signature) + " bytes) and more "
                    + "for its KV cache, but the JVM allows " + size(directLimit) + " (-XX:MaxDirectMemorySize, "
                    + "by default the heap's -Xmx). Raise -XX:MaxDirectMemorySize (or -Xmx), or lower maxBatchSize "
                    + "or prefillChunkTokens");
        }
        long wanted = Math.min(kvCacheBytes, Long.MAX_VALUE / 8);
        long kv = wanted;
        if (kv > kvLimit) {
            kv = kvLimit;
            long needed = (2 * wanted + logitsBytes) / 15 * 16;
            warnings.add(String.format(Locale.ROOT, "%s: a KV cache budget of %s (kvCacheMegabytes) needs up "
                    + "to %s of direct memory (the batch's cache is copied when calls join or leave it, beside a "
                    + "%s logits buffer), more than the JVM allows (%s: -XX:MaxDirectMemorySize, by default "
                    + "the heap's -Xmx); using %s instead. Run with -XX:MaxDirectMemorySize=%dm to keep %s, or "
                    + "set kvCacheMegabytes to at most %s", what, size(wanted), size(2 * wanted + logitsBytes),
                    size(logitsBytes), size(directLimit), size(kv), mib(needed) + 1, size(wanted), megabytes(kv)));
        }
        long prefix = prefixCacheBytes;
        long prefixLimit = heapLimit / 4;
        if (prefix > prefixLimit) {
            prefix = prefixLimit;
            warnings.add(String.format(Locale.ROOT, "%s: a prefix cache of %s (prefixCacheMegabytes) would take "
                    + "more than a quarter of the heap (-Xmx, %s); using %s instead. Run with -Xmx%dm to keep "
                    + "%s, or set prefixCacheMegabytes to at most %s", what, size(prefixCacheBytes),
                    size(heapLimit), size(prefix), mib(prefixCacheBytes) * 4, size(prefixCacheBytes),
                    megabytes(prefix)));
        }
        return new DecoderMemory(kv, prefix, logitsBytes);
    }

    /**
     * Says what a KV budget holds, for the log line at load: e.g. {@code KV cache 2048 MiB, 24576 bytes a token: 2
     * calls of the whole context (32768 tokens) or 8 of 1024 tokens at once (maxBatchSize 8)}.
     *
     * @param kvCacheBytes the budget
     * @param bytesPerToken the KV bytes of one token of one call
     * @param context the model's context in tokens
     * @param maxRows the most calls decoded together
     * @return the description
     */
    public static String describeKv(long kvCacheBytes, long bytesPerToken, int context, int maxRows) {
        StringBuilder out = new StringBuilder().append("KV cache ").append(size(kvCacheBytes)).append(", ")
                .append(bytesPerToken).append(" bytes a token: ")
                .append(Math.min(maxRows, kvCacheBytes / ((long) context * bytesPerToken)))
                .append(" calls of the whole context (").append(context).append(" tokens)");
        int typical = 1024; // an el4ner stage's prompt and answer, roughly
        if (context > typical) {
            out.append(" or ").append(Math.min(maxRows, kvCacheBytes / (typical * bytesPerToken))).append(" of ")
                    .append(typical).append(" tokens");
        }
        return out.append(" at once (maxBatchSize ").append(maxRows).append(')').toString();
    }

    /**
     * @return the JVM's direct memory limit in bytes: {@code -XX:MaxDirectMemorySize}, or by default the heap's
     *     maximum ({@link Runtime#maxMemory()}), as the JDK itself decides
     */
    public static long directMemoryLimit() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotspot != null) {
                long value = Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
                return value > 0 ? value : Runtime.getRuntime().maxMemory();
            }
        } catch (RuntimeException | LinkageError e) {
            // not HotSpot: the command line is the only other place the limit can be read from
            log.debug("cannot read MaxDirectMemorySize from the HotSpot MXBean; reading the command line", e);
        }
        long limit = Runtime.getRuntime().maxMemory();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:MaxDirectMemorySize=")) {
                long value = parseSize(arg.substring(arg.indexOf('=') + 1));
                limit = value > 0 ? value : limit;
            }
        }
        return limit;
    }

    /** A JVM size, e.g. {@code 300k}, {@code 2g}, {@code 1048576}; -1 when not one. */
    static long parseSize(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (!t.isEmpty() && "kmgt".indexOf(t.charAt(t.length() - 1)) >= 0) {
            unit = 1L << (10 * ("kmgt".indexOf(t.charAt(t.length() - 1)) + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            return -1;
        }
    }

    /** @return the bytes of one logit: 2 for float16, else 4 */
    public static int logitsElementBytes(DecoderSignature signature) {
        return signature.logitsType() == ai.onnxruntime.OnnxJavaType.FLOAT16 ? 2 : 4;
    }

    /** A size for messages: whole MiB, rounded up, or KiB below one MiB. */
    private static String size(long bytes) {
        return bytes < MIB ? (bytes + 1023) / 1024 + " KiB" : mib(bytes) + " MiB";
    }

    /** A size as a value of the megabyte parameters, rounded down: whole above one MiB, else two decimals. */
    private static String megabytes(long bytes) {
        return bytes >= MIB ? String.valueOf(bytes / MIB)
                : String.format(Locale.ROOT, "%.2f", Math.floor(bytes * 100.0 / MIB) / 100);
    }

    private static long mib(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }
}
