package io.el4ner.openai.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/** HTTP responses made in memory, for the exchange's and the failure messages' tests without a server. */
final class FakeResponses {
    private FakeResponses() {
    }

    /**
     * @param status the status code
     * @param body the body
     * @param headers header names and values, in pairs
     * @return the response
     */
    static HttpResponse<byte[]> response(int status, String body, String... headers) {
        return new Fake(status, body.getBytes(StandardCharsets.UTF_8), headers(headers));
    }

    /** @return an OpenAI chat completion whose content is {@code content} */
    static HttpResponse<byte[]> completion(String content) {
        return response(200, "{\"model\": \"m\", \"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": "
                + "\"" + content.replace("\"", "\\\"") + "\"}, \"finish_reason\": \"stop\"}], \"usage\": "
                + "{\"prompt_tokens\": 3, \"completion_tokens\": 2}}", "content-type", "application/json");
    }

    static HttpHeaders headers(String... pairs) {
        Map<String, List<String>> map = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], List.of(pairs[i + 1]));
        }
        return HttpHeaders.of(map, (a, b) -> true);
    }

    private record Fake(int statusCode, byte[] body, HttpHeaders headers) implements HttpResponse<byte[]> {
        @Override
        public HttpRequest request() {
            return HttpRequest.newBuilder(uri()).build();
        }

        @Override
        public Optional<HttpResponse<byte[]>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return URI.create("http://127.0.0.1:9/v1/chat/completions");
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
