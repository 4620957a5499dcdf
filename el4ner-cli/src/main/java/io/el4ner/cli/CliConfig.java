package io.el4ner.cli;

import io.el4ner.api.Demonstration;
import io.el4ner.api.EntityType;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.ValidationMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A parsed and checked configuration file. Null fields were not given, so the builder's defaults apply.
 *
 * @param types the label set
 * @param members the members, in ensemble order
 * @param pool the demonstration pool (inline entries first, then the file's)
 * @param k demonstrations per sentence
 * @param retriever the retriever
 * @param aggregator a custom aggregator, or null for the default voting one
 * @param quorum the default aggregator's extraction quorum
 * @param weights the default aggregator's member weights
 * @param validator a custom validator, or null for self-validation
 * @param validation the self-validation mode
 * @param verifier the self-validation verifier
 * @param skipWhenUnanimous skip validation of unanimous entities
 * @param timeout deadline of one member call
 * @param maxConcurrentCalls calls in flight at most
 * @param nestedEntities keep overlapping entities
 * @param secrets the secret values of the file, masked in all output
 * @param baseDirectory the configuration file's folder: relative paths in provider parameters resolve there
 */
record CliConfig(List<EntityType> types, List<Component> members, List<Demonstration> pool, Integer k,
                 Component retriever, Component aggregator, Integer quorum, Map<String, Double> weights,
                 Component validator, ValidationMode validation, String verifier, Boolean skipWhenUnanimous,
                 Duration timeout, Integer maxConcurrentCalls, Boolean nestedEntities, Secrets secrets,
                 Path baseDirectory) {

    /**
     * A component created by a provider. Parameters may hold secrets, so {@link #toString()} leaves them out.
     *
     * @param provider the provider's name
     * @param parameters its parameters: String, Number, Boolean, List or Map values
     */
    record Component(String provider, Map<String, Object> parameters) {
        @Override
        public String toString() {
            return "provider '" + provider + "'";
        }
    }

    /** @return a builder holding this configuration; {@code build()} creates the components */
    EnsembleNer.Builder toBuilder() {
        EnsembleNer.Builder b = EnsembleNer.builder();
        if (baseDirectory != null) {
            b.baseDirectory(baseDirectory);
        }
        types.forEach(b::entityType);
        members.forEach(m -> b.member(m.provider(), m.parameters()));
        if (!pool.isEmpty()) {
            b.demonstrations(pool);
        }
        if (k != null) {
            b.demonstrationCount(k);
        }
        if (retriever != null) {
            b.retriever(retriever.provider(), retriever.parameters());
        }
        if (aggregator != null) {
            b.aggregator(aggregator.provider(), aggregator.parameters());
        }
        if (quorum != null) {
            b.extractionQuorum(quorum);
        }
        if (weights != null) {
            b.memberWeights(weights);
        }
        if (validator != null) {
            b.validator(validator.provider(), validator.parameters());
        }
        if (validation != null) {
            b.validation(validation);
        }
        if (verifier != null) {
            b.verifier(verifier);
        }
        if (skipWhenUnanimous != null) {
            b.skipValidationWhenUnanimous(skipWhenUnanimous);
        }
        if (timeout != null) {
            b.timeout(timeout);
        }
        if (maxConcurrentCalls != null) {
            b.maxConcurrentCalls(maxConcurrentCalls);
        }
        if (nestedEntities != null) {
            b.nestedEntities(nestedEntities);
        }
        return b;
    }

    @Override
    public String toString() {
        return "CliConfig[" + types.size() + " types, members " + members + ", " + pool.size() + " demonstrations]";
    }
}
