/**
 * Internals of the OpenAI-compatible member: base URL handling, request bodies per server flavor, response
 * reading, retries, the circuit breaker and replica balancing. Not exported; no compatibility promise.
 */
package io.el4ner.openai.internal;
