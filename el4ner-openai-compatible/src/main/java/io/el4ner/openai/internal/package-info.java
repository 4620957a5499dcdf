/**
 * Internals of the OpenAI-compatible member, one job per class. {@link io.el4ner.openai.internal.MemberSettings}
 * holds the builder's checked settings; {@link io.el4ner.openai.internal.ChatCalls} runs a call: the flavor
 * ({@code FlavorResolver}, {@code FlavorDetector}) and what it sends ({@code StructuredOutput},
 * {@code AnswerGrammar}, {@code RequestBodies}), the retrying exchange over the replicas ({@code RetryingExchange},
 * {@code Balancer}, {@code CircuitBreaker}, {@code Backoff}, {@code Transport}), what a failure means and says
 * ({@code FailureMessages}), re-asking ({@code Reasks}) and reading the answer ({@code ResponseReader}). The
 * {@code openai-compatible} provider lives here too. Not exported; no compatibility promise.
 */
package io.el4ner.openai.internal;
