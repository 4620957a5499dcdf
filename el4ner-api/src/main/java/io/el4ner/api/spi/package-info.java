/**
 * The service-provider interfaces of el4ner: {@link io.el4ner.api.spi.ModelMember},
 * {@link io.el4ner.api.spi.Retriever}, {@link io.el4ner.api.spi.Aggregator} and
 * {@link io.el4ner.api.spi.Validator}, each created by a provider found with {@link java.util.ServiceLoader}
 * (register it in both {@code META-INF/services} and {@code module-info}), plus the pluggable
 * {@link io.el4ner.api.spi.SentenceSplitter}. Plugins depend on this module only.
 */
package io.el4ner.api.spi;
