package io.el4ner.core.internal.assembly;

import io.el4ner.api.Demonstration;
import io.el4ner.api.EntityType;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.Provenance;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.SentenceSplitter;
import io.el4ner.api.spi.Validator;
import io.el4ner.core.PromptTemplate;
import io.el4ner.core.ValidationMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;

/**
 * Everything an ensemble is built from, as the builder collected it: immutable, so that {@link Assembler} can turn
 * it into components without the builder changing under it. Component choices and the executor, splitter, class
 * loader and base directory may be null (meaning the default).
 *
 * @param members the members, in ensemble order
 * @param types the label set
 * @param pool the demonstration pool
 * @param prompts the prompt templates that replace built-in ones
 * @param weights classification vote weights by member name
 * @param retriever the retriever; null for the default provider
 * @param aggregator the aggregator; null for voting
 * @param validator the validator; null for self-validation as {@code validation} says
 * @param executor runs member calls; null for an own pool
 * @param splitter splits texts into sentences; null for {@link java.text.BreakIterator}
 * @param k demonstrations per sentence
 * @param quorum members that must propose a span
 * @param validation self-validation's mode
 * @param verifier the verifier of single validation; null for the first member
 * @param skipUnanimous skip validating unanimous entities
 * @param nested keep overlapping entities
 * @param maxConcurrentCalls member calls in flight at once
 * @param sentenceParallelism sentences of one text recognised at once
 * @param timeout deadline of one member call
 * @param windowTokens tokens a sentence may take before it is windowed; 0 for a quarter of the context
 * @param classLoader where providers are looked up; null for the default
 * @param baseDirectory what relative paths in provider parameters are resolved against; null for the current one
 */
public record EnsembleSpec(List<ComponentChoice<ModelMember>> members, List<EntityType> types,
                           List<Demonstration> pool, Map<Stage, PromptTemplate> prompts, Map<String, Double> weights,
                           ComponentChoice<Retriever> retriever, ComponentChoice<Aggregator> aggregator,
                           ComponentChoice<Validator> validator, Executor executor, SentenceSplitter splitter,
                           int k, int quorum, ValidationMode validation, String verifier, boolean skipUnanimous,
                           boolean nested, int maxConcurrentCalls, int sentenceParallelism, Duration timeout,
                           int windowTokens, ClassLoader classLoader, Path baseDirectory) {
    /** Copies the collections (the weights in their order, for the order of the problems about them). */
    public EnsembleSpec {
        members = List.copyOf(members);
        types = List.copyOf(types);
        pool = List.copyOf(pool);
        prompts = Map.copyOf(prompts);
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /**
     * The problems of the settings themselves, found before any component is created.
     *
     * @return every problem, in a stable order; empty when there is none
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (types.isEmpty()) {
            problems.add("no entity types: add at least one with entityType(name, description)");
        }
        Set<String> typeNames = new HashSet<>();
        for (EntityType t : types) {
            boolean reserved = Provenance.NOT_AN_ENTITY.equalsIgnoreCase(t.name());
            if (!typeNames.add(t.name()) || reserved) {
                problems.add("entity type '" + t.name() + "' is "
                        + (reserved ? "reserved for 'not an entity'" : "given twice"));
            }
        }
        for (Demonstration d : pool) {
            for (LabeledSpan s : d.spans()) {
                if (!typeNames.contains(s.type())) {
                    problems.add("a demonstration uses type '" + s.type() + "', which is not in the label set "
                            + new TreeSet<>(typeNames) + ": " + d.text());
                }
            }
        }
        if (members.isEmpty()) {
            problems.add("no members: add at least one with member(...)");
        }
        // names known before any member is created (a given member's, or a provider's "name" parameter): a
        // duplicate is reported with the other problems of the settings, before any model is loaded
        Set<String> memberNames = new HashSet<>();
        for (ComponentChoice<ModelMember> m : members) {
            String name = m instanceof ComponentChoice.Given<ModelMember> g ? g.instance().name()
                    : ((ComponentChoice.Named<ModelMember>) m).parameters().get("name") instanceof String s ? s : null;
            if (name != null && !name.isBlank() && !memberNames.add(name)) {
                problems.add("two members are named '" + name + "'; member names must be unique");
            }
        }
        if (aggregator != null && (quorum != 1 || !weights.isEmpty())) {
            problems.add("extractionQuorum and memberWeights configure the default aggregator; pass them to "
                    + "your aggregator instead");
        }
        if (validator != null && (verifier != null || validation != ValidationMode.SINGLE)) {
            problems.add("validation(...) and verifier(...) configure self-validation; they cannot be combined "
                    + "with validator(...)");
        }
        return problems;
    }
}
