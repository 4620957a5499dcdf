/**
 * Members that call OpenAI-compatible chat servers (vLLM, Ollama, llama.cpp) over HTTP. This release ships no
 * classes: the members arrive in a later release. The module exists so that its coordinates and module name are
 * stable.
 */
module io.el4ner.openai {
    requires io.el4ner.api;
}
