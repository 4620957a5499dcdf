/**
 * Members that call OpenAI-compatible chat servers (vLLM, llama.cpp server, Ollama, OpenAI) over HTTP, with
 * structured outputs, retries, a circuit breaker and replica balancing. Provider name: {@code openai-compatible}.
 */
module io.el4ner.openai {
    requires transitive io.el4ner.api;
    requires java.net.http;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports io.el4ner.openai;

    provides io.el4ner.api.spi.ModelMemberProvider with io.el4ner.openai.internal.OpenAiCompatibleMemberProvider;
}
