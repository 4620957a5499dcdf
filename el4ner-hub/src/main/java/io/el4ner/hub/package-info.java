/**
 * Downloads from the Hugging Face Hub into the standard Hugging Face cache: {@link io.el4ner.hub.HubClient} (built
 * from the {@code HF_*} environment variables or explicitly), what it knows about a file ({@link
 * io.el4ner.hub.HubFileInfo}), progress reports ({@link io.el4ner.hub.HubProgress}) and the one exception it throws
 * ({@link io.el4ner.hub.HubException}, whose {@linkplain io.el4ner.hub.HubException#reason() reason} says what to
 * do).
 */
package io.el4ner.hub;
