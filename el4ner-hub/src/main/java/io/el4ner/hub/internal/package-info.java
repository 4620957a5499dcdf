/**
 * Internals of the Hub client: the cache layout, names and URLs, the HTTP exchanges with their retries and bounds,
 * and the body writer. Not exported; no compatibility promise.
 */
package io.el4ner.hub.internal;
