package io.el4ner.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The one redaction step every message leaving el4ner goes through: exception messages, {@link Diagnostic}s,
 * log lines of every module and what the CLI prints. It knows the actual secret values in use (API keys, keys
 * inside request bodies and headers, credentials in URLs, tokens) because whoever holds one
 * {@linkplain #register(String) registers} it, and it replaces every occurrence of each, in the forms a server may
 * echo it in (as is, URL-encoded, JSON-escaped), with {@value #MASK}.
 *
 * <p>Redaction always comes before any cut: {@link #excerpt(String, int)} redacts the whole text first, so a secret
 * that crosses the cut never shows its first characters.
 *
 * <p>Plugin authors: register every secret your member sends (and close the registration when the member is
 * closed), and build messages knowing that {@link El4nerException} and {@link Diagnostic} redact what they are
 * given; log lines must go through {@link #redact(String)} yourself.
 *
 * <p>Thread-safe. Registrations are counted: a value registered twice stays secret until both are closed.
 *
 * @since 0.1
 */
public final class Redaction {
    /** What a secret is replaced with. */
    public static final String MASK = "****";
    /**
     * Shorter values are not registered: replacing every {@code "abc"} in every message would garble them and
     * protect nothing a guess would not find.
     */
    public static final int MIN_SECRET_LENGTH = 4;

    private static final Map<String, Integer> COUNTS = new HashMap<>();
    /** The registered values and their derived forms, longest first; replaced as a whole under the lock. */
    private static volatile List<String> forms = List.of();

    private Redaction() {
    }

    /**
     * A registered secret; closing it forgets the value (once every registration of the same value is closed).
     */
    public interface Registration extends AutoCloseable {
        /** Forgets the value; idempotent. */
        @Override
        void close();
    }

    /**
     * Makes a value secret everywhere in this JVM until the returned registration is closed.
     *
     * @param secret the value; {@code null}, blank and values shorter than {@value #MIN_SECRET_LENGTH}
     *               characters are ignored (the registration then does nothing)
     * @return the registration to close when the value is no longer in use
     */
    public static Registration register(String secret) {
        if (secret == null || secret.strip().length() < MIN_SECRET_LENGTH) {
            return () -> { };
        }
        String value = secret;
        synchronized (COUNTS) {
            COUNTS.merge(value, 1, Integer::sum);
            rebuild();
        }
        return new Registration() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (COUNTS) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    COUNTS.computeIfPresent(value, (k, n) -> n == 1 ? null : n - 1);
                    rebuild();
                }
            }
        };
    }

    /**
     * @param text anything about to leave el4ner, or null
     * @return the text with every registered secret replaced by {@value #MASK}; null for null
     */
    public static String redact(String text) {
        return redact(text, List.of());
    }

    /**
     * @param text anything about to leave el4ner, or null
     * @param extra secrets known to the caller only (not registered), masked as well; short ones are ignored
     * @return the text with every registered and every extra secret replaced by {@value #MASK}; null for null
     */
    public static String redact(String text, Iterable<String> extra) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        List<String> all = forms;
        if (extra.iterator().hasNext()) {
            Set<String> merged = new LinkedHashSet<>(all);
            for (String s : extra) {
                if (s != null && s.strip().length() >= MIN_SECRET_LENGTH) {
                    merged.addAll(formsOf(s));
                }
            }
            all = sortedLongestFirst(merged);
        }
        String out = text;
        for (String v : all) {
            if (out.contains(v)) {
                out = out.replace(v, MASK);
            }
        }
        return out;
    }

    /**
     * Redacts, then bounds: what a diagnostic or an error message carries of an untrusted text.
     *
     * @param text a text, or null
     * @param maxChars the most characters kept of the redacted text (at least 1)
     * @return the redacted text, cut after {@code maxChars} characters (never inside a surrogate pair) with a
     *         note of how many more there were; null for null
     */
    public static String excerpt(String text, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be at least 1, got " + maxChars);
        }
        String r = redact(text);
        if (r == null || r.length() <= maxChars) {
            return r;
        }
        int cut = maxChars;
        if (Character.isHighSurrogate(r.charAt(cut - 1)) && Character.isLowSurrogate(r.charAt(cut))) {
            cut--;
        }
        return r.substring(0, cut) + "… (" + (r.length() - cut) + " more characters)";
    }

    /** @return how many distinct values are registered now (for tests and leak checks) */
    public static int registeredCount() {
        synchronized (COUNTS) {
            return COUNTS.size();
        }
    }

    private static void rebuild() {
        Set<String> all = new LinkedHashSet<>();
        for (String v : COUNTS.keySet()) {
            all.addAll(formsOf(v));
        }
        forms = sortedLongestFirst(all);
    }

    private static List<String> sortedLongestFirst(Set<String> values) {
        List<String> list = new ArrayList<>(values);
        list.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        return List.copyOf(list);
    }

    /** The value as is, stripped, URL-encoded and JSON-escaped: the forms servers echo requests in. */
    private static Set<String> formsOf(String value) {
        Objects.requireNonNull(value);
        Set<String> out = new LinkedHashSet<>();
        for (String v : List.of(value, value.strip())) {
            out.add(v);
            out.add(URLEncoder.encode(v, StandardCharsets.UTF_8));
            out.add(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
            out.add(jsonEscaped(v));
        }
        out.removeIf(s -> s.strip().length() < MIN_SECRET_LENGTH);
        return out;
    }

    private static String jsonEscaped(String v) {
        StringBuilder b = new StringBuilder(v.length() + 8);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '/' -> b.append('/');
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
