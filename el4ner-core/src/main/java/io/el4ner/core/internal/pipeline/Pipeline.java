package io.el4ner.core.internal.pipeline;

import io.el4ner.api.Demonstration;
import io.el4ner.api.Entity;
import io.el4ner.api.EntityType;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.SpanProposal;
import io.el4ner.api.spi.Validator;
import io.el4ner.core.internal.exec.CallLedger;
import io.el4ner.core.internal.exec.MemberInvoker;
import io.el4ner.core.internal.llm.Prompts;
import java.util.List;
import java.util.Optional;

/**
 * The EL4NER pipeline for one sentence: pre-extraction, retrieval, extraction, classification, validation, then
 * overlap resolution; it runs the stages in order and nothing else. Immutable and thread-safe; everything a run
 * produces goes to its {@link CallLedger}.
 */
public final class Pipeline {
    private final List<ModelMember> members;
    private final PreExtractionStage preExtraction;
    private final RetrievalStage retrieval;
    private final ExtractionStage extraction;
    private final ClassificationStage classification;
    private final ValidationStage validation;
    private final boolean nested;

    /**
     * @param members the members, in ensemble order
     * @param types the label set
     * @param retriever the retriever; empty runs zero-shot and skips pre-extraction
     * @param k demonstrations per sentence
     * @param aggregator combines answers
     * @param validator validates typed entities; empty disables validation
     * @param skipUnanimous skip validation of entities every member proposed and labelled alike
     * @param nested keep overlapping entities
     * @param prompts the templates
     * @param invoker calls members
     */
    public Pipeline(List<ModelMember> members, List<EntityType> types, Optional<Retriever> retriever, int k,
                    Aggregator aggregator, Optional<Validator> validator, boolean skipUnanimous, boolean nested,
                    Prompts prompts, MemberInvoker invoker) {
        this.members = List.copyOf(members);
        this.preExtraction = new PreExtractionStage(this.members, types, prompts, invoker);
        this.retrieval = new RetrievalStage(retriever, k);
        this.extraction = new ExtractionStage(this.members, types, aggregator, prompts, invoker);
        this.classification = new ClassificationStage(this.members, types, aggregator, prompts, invoker);
        this.validation = new ValidationStage(this.members, types, validator, skipUnanimous, invoker);
        this.nested = nested;
    }

    /** @return the members in ensemble order */
    List<ModelMember> members() {
        return members;
    }

    /**
     * @param sentence one sentence (or window), not blank
     * @param ledger where usage and diagnostics go
     * @return its entities, offsets relative to {@code sentence}
     * @throws io.el4ner.api.EnsembleFailureException when every member failed in a stage
     */
    List<Entity> run(String sentence, CallLedger ledger) {
        return run(sentence, ledger, null);
    }

    /**
     * Runs the pipeline and describes each stage's outcome.
     *
     * @param sentence one sentence (or window), not blank
     * @param ledger where usage and diagnostics go
     * @param trace receives what each stage produced (offsets relative to {@code sentence}); may be null
     * @return its entities, offsets relative to {@code sentence}
     */
    List<Entity> run(String sentence, CallLedger ledger, Trace trace) {
        List<Demonstration> demos = List.of();
        if (retrieval.enabled()) {
            demos = retrieval.run(sentence, preExtraction.run(sentence, ledger));
        }
        List<SpanProposal> selected = extraction.run(sentence, demos, ledger, trace);
        if (selected.isEmpty()) {
            return List.of();
        }
        ClassificationStage.Outcome classified = classification.run(sentence, demos, selected, ledger, trace);
        List<Entity> entities = validation.run(sentence, demos, selected, classified, ledger, trace);
        return nested ? entities : OverlapResolution.resolve(entities, ledger);
    }
}
