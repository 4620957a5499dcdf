package io.el4ner.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

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
    /** How much longer than its limit an {@linkplain #excerpt(String, int) excerpt} may be: room for its note. */
    public static final int EXCERPT_SLACK = 32;

    /** The words that make a field or parameter name look secret. */
    private static final Pattern SECRET_WORD =
            Pattern.compile("(?i)key|token|secret|password|passwd|credential|authorization");
    /** A count of tokens ({@code max_tokens}, {@code skip_special_tokens}): the plural is not a secret word. */
    private static final Pattern TOKENS = Pattern.compile("[Tt]okens(?![a-z])|TOKENS(?![A-Z])");
    /** Tokens that are credentials even in the plural ({@code auth_tokens}, {@code accessTokens}). */
    private static final Pattern CREDENTIAL_TOKENS =
            Pattern.compile("(?i)(?:auth|access|api|refresh|bearer|session|id)[_-]?tokens");
    /** A limit or a count ({@code max_...}, {@code min_...}, {@code num_...}, {@code maxKeyLength}). */
    private static final Pattern COUNT_PREFIX = Pattern.compile("(?i:max|min|num)(?:_|-|[A-Z]).*");

    /** How many times over a JSON-escaped form is recognised. */
    private static final int MAX_ESCAPE_LEVELS = 3;

    private static final Map<String, Integer> COUNTS = new HashMap<>();
    /**
     * The registered values and their derived forms; replaced as a whole under the lock, and set to null by a change
     * so that the next redaction rebuilds it (registering many values costs one rebuild, not one each).
     */
    private static volatile Index index = new Index(List.of());

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
            if (COUNTS.merge(value, 1, Integer::sum) == 1) {
                index = null;
            }
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
                    if (COUNTS.computeIfPresent(value, (k, n) -> n == 1 ? null : n - 1) == null) {
                        index = null;
                    }
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
        Index index = index();
        if (extra.iterator().hasNext()) {
            Set<String> merged = new LinkedHashSet<>(index.forms);
            for (String s : extra) {
                if (s != null && s.strip().length() >= MIN_SECRET_LENGTH) {
                    merged.addAll(formsOf(s));
                }
            }
            index = new Index(sortedLongestFirst(merged));
        }
        return index.mask(text);
    }

    /**
     * Redacts, then bounds: what a diagnostic or an error message carries of an untrusted text.
     *
     * <p>A redacted text of at most {@code maxChars} + {@value #EXCERPT_SLACK} characters is returned whole: the
     * note of a cut is never longer than that, so an excerpt given to {@code excerpt} again (a diagnostic made
     * from an excerpt, say) comes back unchanged and its count of left-out characters stays true.
     *
     * @param text a text, or null
     * @param maxChars the most characters kept of a redacted text that is cut (at least 1)
     * @return the redacted text, whole when it is short enough, else cut after {@code maxChars} characters (never
     *         inside a surrogate pair) with a note of how many more there were; at most {@code maxChars} +
     *         {@value #EXCERPT_SLACK} characters in all; null for null
     */
    public static String excerpt(String text, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be at least 1, got " + maxChars);
        }
        String r = redact(text);
        if (r == null || r.length() <= maxChars + EXCERPT_SLACK) {
            return r;
        }
        int cut = maxChars;
        if (Character.isHighSurrogate(r.charAt(cut - 1)) && Character.isLowSurrogate(r.charAt(cut))) {
            cut--;
        }
        return r.substring(0, cut) + "… (" + (r.length() - cut) + " more characters)";
    }

    /**
     * The one rule for which configuration fields, {@code extraBody} fields, headers and URL query parameters hold
     * secrets, shared by every module that looks for them (the OpenAI-compatible member, the CLI): the name
     * contains {@code key}, {@code token}, {@code secret}, {@code password}, {@code passwd}, {@code credential} or
     * {@code authorization}, in any case, except a count or a limit: a name whose only such word is the plural
     * {@code tokens} ({@code max_tokens}, {@code skip_special_tokens}, {@code num_tokens}) or that starts with
     * {@code max_}, {@code min_} or {@code num_} (or {@code max}, {@code min}, {@code num} followed by a capital
     * letter or a hyphen) is not secret. So {@code token}, {@code api_key}, {@code access_token},
     * {@code auth_token}, {@code Authorization} and {@code password} are secret; {@code max_tokens} is not; plural
     * tokens of an authority ({@code auth_tokens}, {@code access_tokens}, {@code apiTokens}, {@code refresh_tokens},
     * {@code bearer_tokens}, {@code session_tokens}, {@code id_tokens}) are secret again.
     *
     * <p>Whoever finds a value under a secret name should {@linkplain #register(String) register} it only if it is
     * text: numbers and booleans are settings, and masking {@code "1024"} or {@code "true"} everywhere would garble
     * every message and protect nothing.
     *
     * @param name a field, header or parameter name, or null
     * @return whether values under that name are secret; false for null
     * @since 0.1
     */
    public static boolean isSecretName(String name) {
        if (name == null) {
            return false;
        }
        if (CREDENTIAL_TOKENS.matcher(name).find()) {
            return true;
        }
        if (COUNT_PREFIX.matcher(name).matches()) {
            return false;
        }
        return SECRET_WORD.matcher(TOKENS.matcher(name).replaceAll(" ")).find();
    }

    /**
     * {@code scheme://userinfo@} anywhere in a text: the scheme is group 1, the userinfo group 2. It runs to the
     * <em>last</em> {@code @} before a quote, a line break, an angle bracket, the end of the text or the next
     * {@code ://}: a password may hold {@code /}, {@code ?}, {@code #}, {@code @} and spaces, and a URL that hides
     * one is not valid, so its end cannot be found by the URL's grammar. An {@code @} in a path is masked with what
     * precedes it: too much rather than too little. A scheme starts a word (the look-behind) and the stretch has no
     * nested scan, so the search is linear in the text's length.
     */
    private static final Pattern URL_USERINFO = Pattern.compile(
            "(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*+://)((?:(?!://)[^'\"`<>\\r\\n])*)@");
    /** A query or fragment parameter {@code name=value}: the prefix up to {@code =} is group 1, the name group 2. */
    private static final Pattern URL_PARAMETER = Pattern.compile("([?&;#]([^=&;#\\s]+)=)([^&;#\\s\"']*)");

    /**
     * The credentials written into URLs in a text: the userinfo of every {@code scheme://user:password@} (whole and
     * its password alone) and the value of every query or fragment parameter whose name
     * {@linkplain #isSecretName(String) looks secret} ({@code ?api_key=…}), each as written and percent-decoded.
     * For whoever finds URLs in a configuration and registers what they hide.
     *
     * @param text any text, or null
     * @return the values found, in order of appearance, without duplicates (empty for null)
     * @since 0.1
     */
    public static List<String> urlSecrets(String text) {
        Set<String> out = new LinkedHashSet<>();
        if (text == null || !text.contains("://") && text.indexOf('?') < 0 && text.indexOf('#') < 0) {
            return List.of();
        }
        java.util.regex.Matcher u = URL_USERINFO.matcher(text);
        while (u.find()) {
            String info = u.group(2);
            addWithDecoded(info, out);
            int colon = info.indexOf(':');
            if (colon >= 0) {
                addWithDecoded(info.substring(colon + 1), out);
            }
        }
        java.util.regex.Matcher p = URL_PARAMETER.matcher(text);
        while (p.find()) {
            if (isSecretName(percentDecoded(p.group(2))) && !p.group(3).isEmpty()) {
                addWithDecoded(p.group(3), out);
            }
        }
        out.removeIf(String::isEmpty);
        return List.copyOf(out);
    }

    /**
     * Masks the credentials written into URLs, where they stand, whatever their length: the userinfo of every
     * {@code scheme://user:password@} and the value of every secret-named query or fragment parameter (see
     * {@link #urlSecrets(String)}); then {@linkplain #redact(String) redacts} registered secrets.
     *
     * @param text any text that may hold URLs, or null
     * @return the masked text; null for null
     * @since 0.1
     */
    public static String redactUrls(String text) {
        if (text == null) {
            return null;
        }
        String out = URL_USERINFO.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                m.group(1) + MASK + "@"));
        java.util.regex.Matcher m = URL_PARAMETER.matcher(out);
        StringBuilder sb = new StringBuilder(out.length());
        while (m.find()) {
            String replacement = isSecretName(percentDecoded(m.group(2))) && !m.group(3).isEmpty()
                    ? m.group(1) + MASK : m.group();
            m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return redact(sb.toString());
    }

    private static void addWithDecoded(String raw, Set<String> out) {
        out.add(raw);
        out.add(percentDecoded(raw));
    }

    private static String percentDecoded(String raw) {
        try {
            return java.net.URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw; // not valid percent-encoding: as written
        }
    }

    /** @return how many distinct values are registered now (for tests and leak checks) */
    public static int registeredCount() {
        synchronized (COUNTS) {
            return COUNTS.size();
        }
    }

    private static Index index() {
        Index i = index;
        if (i != null) {
            return i;
        }
        synchronized (COUNTS) {
            if (index == null) {
                Set<String> all = new LinkedHashSet<>();
                for (String v : COUNTS.keySet()) {
                    all.addAll(formsOf(v));
                }
                index = new Index(sortedLongestFirst(all));
            }
            return index;
        }
    }

    /**
     * The forms to mask, looked up by their first {@value #MIN_SECRET_LENGTH} characters, so that one pass over a
     * text finds all of them however many there are: a redaction is linear in the text's length.
     */
    private static final class Index {
        final List<String> forms;
        private final Map<String, List<String>> byPrefix = new HashMap<>();
        private final BitSet firstChars = new BitSet(Character.MAX_VALUE + 1);

        Index(List<String> longestFirst) {
            this.forms = longestFirst;
            for (String f : longestFirst) {
                byPrefix.computeIfAbsent(f.substring(0, MIN_SECRET_LENGTH), k -> new ArrayList<>()).add(f);
                firstChars.set(f.charAt(0));
            }
        }

        /** Masks the union of every occurrence of every form: overlapping occurrences become one mask. */
        String mask(String text) {
            if (forms.isEmpty()) {
                return text;
            }
            StringBuilder out = null;
            int copied = 0;
            int maskedUntil = 0;
            for (int i = 0, last = text.length() - MIN_SECRET_LENGTH; i <= last; i++) {
                if (!firstChars.get(text.charAt(i))) {
                    continue;
                }
                List<String> candidates = byPrefix.get(text.substring(i, i + MIN_SECRET_LENGTH));
                if (candidates == null) {
                    continue;
                }
                for (String f : candidates) {
                    if (text.startsWith(f, i)) {
                        int end = i + f.length();
                        if (out == null) {
                            out = new StringBuilder(text.length());
                        }
                        if (i >= maskedUntil) {
                            out.append(text, copied, i).append(MASK);
                        }
                        maskedUntil = Math.max(maskedUntil, end);
                        copied = maskedUntil;
                        break;
                    }
                }
            }
            if (out == null) {
                return text;
            }
            return out.append(text, copied, text.length()).toString();
        }
    }

    private static List<String> sortedLongestFirst(Set<String> values) {
        List<String> list = new ArrayList<>(values);
        list.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        return List.copyOf(list);
    }

    /**
     * The value as is, stripped, URL-encoded and JSON-escaped (with and without escaped slashes, up to
     * {@value #MAX_ESCAPE_LEVELS} times: an error message quoting the request's JSON, inside a JSON body, inside a
     * log line): the forms servers echo requests in.
     */
    private static Set<String> formsOf(String value) {
        Objects.requireNonNull(value);
        Set<String> out = new LinkedHashSet<>();
        for (String v : List.of(value, value.strip())) {
            out.add(v);
            out.add(URLEncoder.encode(v, StandardCharsets.UTF_8));
            out.add(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
            String escaped = v;
            for (int level = 0; level < MAX_ESCAPE_LEVELS; level++) {
                escaped = jsonEscaped(escaped);
                out.add(escaped);
                out.add(escaped.replace("/", "\\/"));
            }
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
