/**
 * Ensemble members for OpenAI-compatible chat servers (vLLM, llama.cpp server, Ollama, OpenAI):
 * {@link io.el4ner.openai.OpenAiCompatibleMember} and its provider {@code openai-compatible}.
 */
package io.el4ner.openai;
