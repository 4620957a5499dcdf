package io.el4ner.openai.internal;

import io.el4ner.api.Redaction;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One server's base URL, normalised: given with or without a trailing {@code /v1} (and slashes), it yields the
 * server root and the endpoints under it. Credentials, queries and fragments are rejected, so that the URL can
 * appear in messages; the messages that reject a URL show it with its credentials and secret-looking query values
 * masked ({@link io.el4ner.api.Redaction#redactUrls(String)}).
 */
final class BaseUrl {
    private final String root;

    private BaseUrl(String root) {
        this.root = root;
    }

    /**
     * @param text a base URL such as {@code http://localhost:8000/v1} or {@code http://localhost:8000}
     * @return the normalised URL
     * @throws IllegalArgumentException if it is not an absolute http(s) URL without credentials, query or fragment
     */
    public static BaseUrl parse(String text) {
        String t = text == null ? "" : text.strip();
        URI uri;
        try {
            uri = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + Redaction.redactUrls(t) + "' (" + e.getReason()
                    + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("must be an absolute http:// or https:// URL with a host, got '"
                    + Redaction.redactUrls(t) + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("must not contain credentials (user:password@), got '"
                    + Redaction.redactUrls(t) + "'; give the API key with apiKeyEnv");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must not have a query or fragment (give the API key with "
                    + "apiKeyEnv), got '" + Redaction.redactUrls(t) + "'");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/v1")) {
            path = path.substring(0, path.length() - 3);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String authority = uri.getRawAuthority();
        return new BaseUrl(scheme + "://" + authority + path);
    }

    /** @return the server root, without {@code /v1} and without a trailing slash */
    public String root() {
        return root;
    }

    /** @return the OpenAI-compatible chat endpoint, {@code <root>/v1/chat/completions} */
    public URI chatCompletions() {
        return URI.create(root + "/v1/chat/completions");
    }

    /** @return the model listing, {@code <root>/v1/models} */
    public URI models() {
        return URI.create(root + "/v1/models");
    }

    /** @return Ollama's native chat endpoint, {@code <root>/api/chat} */
    public URI ollamaChat() {
        return URI.create(root + "/api/chat");
    }

    /** @return Ollama's version endpoint, {@code <root>/api/version} */
    public URI ollamaVersion() {
        return URI.create(root + "/api/version");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BaseUrl b && b.root.equals(root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return root;
    }
}
