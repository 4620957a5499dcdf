package io.el4ner.tck;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.MemberTimeoutException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.RetriableBackendException;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Set;

// The README's plugin example ("Which exception to throw"), exactly as it is there: the text between the two
// markers must equal the README's block (the el4ner-cli DocExamplesTest compares them). ReadmePluginExampleTest runs
// it.
// README: begin plugin-exceptions
final class MyHttpLlm implements ModelMember {
    private final String name;
    private final URI endpoint;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newHttpClient();

    MyHttpLlm(String name, URI endpoint, Duration timeout) {
        this.name = name;
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    @Override public String name() { return name; }

    @Override public ChatResponse chat(ChatRequest request) {
        HttpRequest post = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(request.promptText())).build();
        HttpResponse<String> reply;
        try {
            reply = http.send(post, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {      // this member's own deadline passed
            throw new MemberTimeoutException(name, "member '" + name + "' got no answer within "
                    + timeout.toMillis() + " ms");
        } catch (IOException e) {               // connection refused or reset: it may work later
            throw new RetriableBackendException(name, "member '" + name + "' cannot reach " + endpoint, e);
        } catch (InterruptedException e) {      // el4ner gave up on the call
            Thread.currentThread().interrupt();
            throw new RetriableBackendException(name, "member '" + name + "' was interrupted", e);
        }
        int status = reply.statusCode();
        if (status == 408 || status == 429 || status >= 500) {
            throw new RetriableBackendException(name, "member '" + name + "': HTTP " + status + " from " + endpoint);
        }
        if (status != 200) {                    // 400, 401, 403, 404: only a configuration change helps
            throw new NonRetriableBackendException(name, "member '" + name + "': HTTP " + status + " from "
                    + endpoint + "; check the endpoint, the model and the credentials");
        }
        return ChatResponse.of(reply.body(), TokenUsage.UNREPORTED);
    }
}

public final class MyHttpLlmProvider implements ModelMemberProvider {
    @Override public String name() { return "my-http-llm"; }

    @Override public ModelMember create(ComponentConfig config) {
        config.requireOnly(Set.of("name", "endpoint", "timeoutSeconds")); // names every unknown parameter
        int seconds = config.integer("timeoutSeconds", 60);
        if (seconds < 1) {
            throw new El4nerConfigurationException(config.component() + ": timeoutSeconds must be at least 1, got "
                    + seconds);
        }
        URI endpoint;
        try {
            endpoint = new URI(config.requireString("endpoint"));
        } catch (URISyntaxException e) {
            throw new El4nerConfigurationException(config.component() + ": endpoint is not a URI: "
                    + e.getMessage(), e);
        }
        return new MyHttpLlm(config.requireString("name"), endpoint, Duration.ofSeconds(seconds));
    }
}
// README: end plugin-exceptions
