package io.el4ner.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.openai.Flavor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which flavor a call uses: configured, detected once, or prompt-only until a server answers; no server. */
class FlavorResolverTest {
    private final List<String> asked = new ArrayList<>();

    private static Call call() {
        return Call.startNow(new ChatRequest(List.of(ChatMessage.user("hi")), GenerationOptions.greedyJson(8),
                new TaskContext(Stage.EXTRACTION, "s", List.of(), List.of(), List.of(), List.of())),
                Duration.ofSeconds(10));
    }

    private FlavorResolver resolver(Flavor configured, List<Optional<FlavorDetector.Detection>> answers) {
        List<Endpoint> endpoints = List.of(
                new Endpoint(BaseUrl.parse("http://127.0.0.1:9"), new CircuitBreaker(5, Duration.ofSeconds(1))),
                new Endpoint(BaseUrl.parse("http://127.0.0.1:10"), new CircuitBreaker(5, Duration.ofSeconds(1))));
        return new FlavorResolver("m", configured, endpoints, (url, nanos) -> {
            asked.add(url.root());
            return answers.get(Math.min(asked.size() - 1, answers.size() - 1));
        }, Duration.ofSeconds(60), new FailureMessages("m", "model", null, false, 2048));
    }

    @Test
    void resolve_configuredFlavor_asksNoServer() {
        FlavorResolver r = resolver(Flavor.OLLAMA, List.of(Optional.empty()));
        assertThat(r.resolve(call())).isEqualTo(Flavor.OLLAMA);
        assertThat(r.effective()).contains(Flavor.OLLAMA);
        assertThat(r.describe()).isEqualTo("ollama");
        assertThat(asked).isEmpty();
    }

    @Test
    void resolve_auto_detectsOnceAndKeepsIt() {
        FlavorResolver r = resolver(Flavor.AUTO,
                List.of(Optional.of(new FlavorDetector.Detection(Flavor.VLLM, "owned_by=vllm"))));
        assertThat(r.effective()).isEmpty();
        assertThat(r.describe()).isEqualTo("auto");
        assertThat(r.resolve(call())).isEqualTo(Flavor.VLLM);
        assertThat(r.resolve(call())).isEqualTo(Flavor.VLLM);
        assertThat(asked).hasSize(1);
        assertThat(r.effective()).contains(Flavor.VLLM);
        assertThat(r.describe()).isEqualTo("auto (vllm)");
    }

    @Test
    void resolve_noReplicaReached_usesPromptOnlyAndAsksAgainNextCall() {
        FlavorResolver r = resolver(Flavor.AUTO, List.of(Optional.empty(), Optional.empty(),
                Optional.of(new FlavorDetector.Detection(Flavor.LLAMA_CPP, "Server: llama.cpp"))));
        assertThat(r.resolve(call())).isEqualTo(Flavor.PROMPT_ONLY);
        assertThat(asked).as("every replica is asked").containsExactly("http://127.0.0.1:9", "http://127.0.0.1:10");
        assertThat(r.effective()).isEmpty();
        assertThat(r.resolve(call())).isEqualTo(Flavor.LLAMA_CPP);
    }
}
