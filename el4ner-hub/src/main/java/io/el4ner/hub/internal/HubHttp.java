package io.el4ner.hub.internal;

import io.el4ner.api.Redaction;
import io.el4ner.hub.HubException;
import io.el4ner.hub.HubException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of talking to a Hub: requests that carry the token only to the endpoint's own origin, retries with
 * backoff, redirects followed by hand (so that the token never follows one elsewhere), the {@code HEAD} that gives a
 * file's metadata, and what a failed status means to the user. URLs in messages and log lines are
 * {@linkplain #display(URI) shown without their query}: signed CDN URLs carry credentials there.
 */
final class HubHttp {
    private static final Logger log = LoggerFactory.getLogger(HubHttp.class);
    /** The most redirects followed for one request. */
    static final int MAX_REDIRECTS = 10;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final String USER_AGENT = "el4ner-hub";

    /** A failure worth another try: the network, a timeout, a 5xx or 429. */
    static final class Retriable extends Exception {
        private static final long serialVersionUID = 1L;

        Retriable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One try of an exchange. */
    @FunctionalInterface
    interface Attempt<T> {
        T run() throws Retriable, IOException, InterruptedException;
    }

    private final Downloader.Settings s;
    private final HttpClient http;
    private final String endpointOrigin;

    /**
     * @param settings the settings
     * @param http the client; it must not follow redirects
     */
    HubHttp(Downloader.Settings settings, HttpClient http) {
        this.s = settings;
        this.http = http;
        this.endpointOrigin = Names.origin(settings.endpoint());
    }

    /** @return the client, for the {@code GET} of a blob */
    HttpClient client() {
        return http;
    }

    /**
     * The metadata of a file: a {@code HEAD} of its resolve URL, redirects within the Hub followed, retried.
     *
     * @param t the file
     * @return what the Hub said, and where to get the content
     * @throws HubException if the Hub says no, or cannot be reached after the retries
     */
    Metadata head(Target t) {
        return withRetries(t, t.url(), () -> headOnce(t));
    }

    private Metadata headOnce(Target t) throws Retriable, IOException, InterruptedException {
        URI url = t.url();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest request = request(url).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity").build();
            HttpResponse<Void> r = http.send(request, info -> new Discard());
            int status = r.statusCode();
            if (isRedirect(status)) {
                String location = location(t, r.headers(), url);
                URI next = redirectTarget(t, url, location);
                if (isRelative(location) || Names.origin(next).equals(endpointOrigin)) {
                    url = next; // a renamed repository, the Hub's resolve cache: still the Hub
                    continue;
                }
                return metadata(t, r.headers(), next); // a CDN: its URL is where to GET; the Hub gave the headers
            }
            if (status >= 200 && status < 300) {
                return metadata(t, r.headers(), url);
            }
            throw statusFailure(t, status, r.headers(), url);
        }
        throw new HubException(Reason.PROTOCOL, "More than " + MAX_REDIRECTS + " redirects from " + display(t.url())
                + " for " + t.what());
    }

    private Metadata metadata(Target t, HttpHeaders h, URI location) {
        String commit = Names.serverCommit(h.firstValue("x-repo-commit").orElse(null)).orElseThrow(() ->
                Failures.protocol(t, "no valid X-Repo-Commit header in the answer to HEAD " + display(t.url())
                        + "; is " + display(s.endpoint()) + " a Hugging Face Hub (HF_ENDPOINT)?"));
        Optional<String> linked = h.firstValue("x-linked-etag");
        String etag = Names.etag(linked.orElseGet(() -> h.firstValue("etag").orElse(null))).orElseThrow(() ->
                Failures.protocol(t, "no valid X-Linked-Etag or ETag header in the answer to HEAD " + display(t.url())));
        String sizeText = h.firstValue("x-linked-size").orElseGet(() -> h.firstValue("content-length").orElse(""));
        long size;
        try {
            size = Long.parseLong(sizeText.strip());
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 0) {
            throw Failures.protocol(t, "no valid X-Linked-Size or Content-Length header in the answer to HEAD "
                    + display(t.url()));
        }
        return new Metadata(commit, etag, size, linked.isPresent() && Names.isSha256(etag), location);
    }

    /** @return a request to a URL, with the token only if the URL is the endpoint's origin */
    HttpRequest.Builder request(URI url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(s.timeout()).header("User-Agent", USER_AGENT);
        if (s.token() != null && Names.origin(url).equals(endpointOrigin)) {
            b.header("Authorization", "Bearer " + s.token());
        }
        return b;
    }

    /**
     * Runs an exchange, again after a growing, jittered pause while it fails in a way worth another try.
     *
     * @param t the file, for messages
     * @param url the URL tried, for messages
     * @param attempt one exchange
     * @return what the exchange returned
     * @throws HubException when every try failed, or at once for a failure not worth another try
     */
    <T> T withRetries(Target t, URI url, Attempt<T> attempt) {
        Retriable last = null;
        for (int n = 0; n <= s.retries(); n++) {
            if (n > 0) {
                long base = Math.min(s.backoff().toNanos(), MAX_BACKOFF.toNanos());
                long delay = Math.min(MAX_BACKOFF.toNanos(), base << Math.min(n - 1, 20));
                delay = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
                log.info("Trying {} again in {} ms ({} of {}): {}", display(url), delay / 1_000_000, n, s.retries(),
                        Redaction.excerpt(last.getMessage(), 300));
                try {
                    TimeUnit.NANOSECONDS.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HubException(Reason.UNREACHABLE, "Interrupted while downloading " + t.what(), e);
                }
            }
            try {
                return attempt.run();
            } catch (Retriable e) {
                last = e;
            } catch (IOException e) {
                last = new Retriable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
                if (e instanceof java.net.ConnectException && e.getMessage() == null) {
                    last = new Retriable("connection refused", e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(Reason.UNREACHABLE, "Interrupted while downloading " + t.what(), e);
            }
        }
        throw new HubException(Reason.UNREACHABLE, "Could not download " + t.what() + " from " + display(url)
                + " after " + (s.retries() + 1) + (s.retries() == 0 ? " try" : " tries") + " ("
                + Redaction.excerpt(last.getMessage(), 300) + "); the cache " + s.cache().root()
                + " has no copy of it. Check the network and HF_ENDPOINT (" + display(s.endpoint())
                + "), or copy the model into that cache and set HF_HUB_OFFLINE=1.", last.getCause());
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** @return the Location header of a redirect */
    String location(Target t, HttpHeaders h, URI from) {
        return h.firstValue("location").orElseThrow(() ->
                Failures.protocol(t, display(from) + " redirected without a Location header"));
    }

    /** @return where a redirect leads: an absolute http(s) URL */
    URI redirectTarget(Target t, URI from, String location) {
        try {
            URI next = from.resolve(new URI(location));
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
                throw Failures.protocol(t, display(from) + " redirected to a URL that is not http(s)");
            }
            return next;
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw Failures.protocol(t, display(from) + " redirected to an invalid URL");
        }
    }

    private static boolean isRelative(String location) {
        try {
            URI u = new URI(location);
            return u.getScheme() == null && u.getRawAuthority() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /**
     * What a failed status means to the user: the Hub's error code (a missing repository, revision or file, a gated
     * one), a refused or missing token, or a CDN's refusal, which says nothing about the token.
     *
     * @return the failure to throw
     * @throws Retriable for a 429 or a 5xx
     */
    HubException statusFailure(Target t, int status, HttpHeaders h, URI url) throws Retriable {
        if (status == 429 || status >= 500) {
            throw new Retriable("HTTP " + status + " from " + display(url), null);
        }
        if (!Names.origin(url).equals(endpointOrigin)) {
            // A CDN or mirror the Hub redirected to: its 403 or 404 says nothing about the repository or the token.
            return Failures.protocol(t, "HTTP " + status + " from " + display(url) + ", where " + display(s.endpoint())
                    + " redirected the download; try again later");
        }
        String code = h.firstValue("x-error-code").orElse("");
        String said = h.firstValue("x-error-message").map(v -> " (the Hub says: " + Redaction.excerpt(v, 200) + ")")
                .orElse("");
        String hub = display(s.endpoint());
        boolean token = s.token() != null;
        switch (code) {
            case "RepoNotFound":
                return new HubException(Reason.REPO_NOT_FOUND, "No repository " + t.repo() + " at " + hub
                        + (token ? " that the token in HF_TOKEN can read" : "; if it is private, set HF_TOKEN to a "
                        + "token that can read it") + said);
            case "RevisionNotFound":
                return new HubException(Reason.REVISION_NOT_FOUND, "No revision " + t.revision() + " in repo "
                        + t.repo() + " at " + hub + ": give a branch, a tag or a commit hash it has" + said);
            case "EntryNotFound":
                return new HubException(Reason.FILE_NOT_FOUND, "No file " + t.file() + " in repo " + t.repo()
                        + " at revision " + t.revision() + said);
            case "GatedRepo":
                return new HubException(Reason.TOKEN_NEEDED, "Repository " + t.repo() + " is gated: accept its "
                        + "conditions at " + hub + "/" + t.repo() + " and set HF_TOKEN to a token of that account"
                        + (token ? " (the token in HF_TOKEN has no access yet)" : " (no token is set)") + said);
            default:
                break;
        }
        if (status == 401 || status == 403) {
            return new HubException(Reason.TOKEN_NEEDED, token
                    ? "The token in HF_TOKEN was refused (HTTP " + status + ") for " + t.what() + ": use a token "
                    + "with read access to " + t.repo() + said
                    : "Repository " + t.repo() + " needs a token (HTTP " + status + "): set HF_TOKEN to a token "
                    + "with read access (it may be gated or private)" + said);
        }
        if (status == 404) {
            return new HubException(Reason.FILE_NOT_FOUND, "Not found (HTTP 404): " + t.what() + " at " + hub
                    + ": the repository, the revision or the file does not exist" + (token ? "" : ", or the "
                    + "repository is private and HF_TOKEN is not set") + said);
        }
        return Failures.protocol(t, "HTTP " + status + " from " + display(url) + said);
    }

    /** A URL as it may appear in a message or a log line: no query (signed CDN URLs carry credentials there). */
    static String display(URI u) {
        String scheme = u.getScheme() == null ? "" : u.getScheme() + "://";
        String auth = u.getRawAuthority() == null ? "" : u.getRawAuthority().replaceAll("^.*@", "");
        return scheme + auth + (u.getRawPath() == null ? "" : u.getRawPath());
    }
}
