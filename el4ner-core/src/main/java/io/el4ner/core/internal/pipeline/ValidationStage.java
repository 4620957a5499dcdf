package io.el4ner.core.internal.pipeline;

import io.el4ner.api.Demonstration;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerException;
import io.el4ner.api.Entity;
import io.el4ner.api.EntityType;
import io.el4ner.api.Provenance;
import io.el4ner.api.Stage;
import io.el4ner.api.TypedSpan;
import io.el4ner.api.spi.LabelDecision;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.SpanProposal;
import io.el4ner.api.spi.ValidationRequest;
import io.el4ner.api.spi.Validator;
import io.el4ner.api.spi.Verdict;
import io.el4ner.core.internal.exec.CallLedger;
import io.el4ner.core.internal.exec.MemberInvoker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stage 5: the validator keeps or drops each typed entity; the entities that stay are made, each with its
 * provenance (who proposed it, who labelled it how, the validation's outcome).
 */
final class ValidationStage {
    private final List<ModelMember> members;
    private final List<String> names;
    private final List<EntityType> types;
    private final Optional<Validator> validator;
    private final boolean skipUnanimous;
    private final MemberInvoker invoker;

    /**
     * @param members the members, in ensemble order
     * @param types the label set
     * @param validator validates typed entities; empty disables validation
     * @param skipUnanimous skip validation of entities every member proposed and labelled alike
     * @param invoker calls members for the validator
     */
    ValidationStage(List<ModelMember> members, List<EntityType> types, Optional<Validator> validator,
                    boolean skipUnanimous, MemberInvoker invoker) {
        this.members = List.copyOf(members);
        this.names = this.members.stream().map(ModelMember::name).toList();
        this.types = List.copyOf(types);
        this.validator = validator;
        this.skipUnanimous = skipUnanimous;
        this.invoker = invoker;
    }

    /**
     * @param sentence the sentence
     * @param demos the demonstrations shown
     * @param selected the spans extraction selected
     * @param classified classification's labels and decisions
     * @param ledger where usage and diagnostics go
     * @param trace receives the surfaces the validator removed; may be null
     * @return the entities kept, in the order of {@code selected}, offsets relative to {@code sentence}
     * @throws El4nerException when the validator returns a verdict count other than asked
     */
    List<Entity> run(String sentence, List<Demonstration> demos, List<SpanProposal> selected,
                     ClassificationStage.Outcome classified, CallLedger ledger, Trace trace) {
        Map<String, Map<String, String>> labels = classified.labels();
        Map<String, LabelDecision> decisions = classified.decisions();
        Map<String, Verdict> verdicts = new HashMap<>();
        Map<String, Provenance.ValidationStatus> status = new HashMap<>();
        List<TypedSpan> toCheck = new ArrayList<>();
        for (Map.Entry<String, LabelDecision> e : decisions.entrySet()) {
            String s = e.getKey();
            if (validator.isEmpty()) {
                status.put(s, Provenance.ValidationStatus.DISABLED);
            } else if (skipUnanimous && unanimous(s, e.getValue(), labels.get(s), selected)) {
                status.put(s, Provenance.ValidationStatus.SKIPPED_UNANIMOUS);
            } else {
                toCheck.add(new TypedSpan(s, e.getValue().label()));
            }
        }
        if (!toCheck.isEmpty()) {
            List<Verdict> v = validator.get().validate(new ValidationRequest(sentence, types, demos, toCheck,
                    new LedgerMemberCaller(members, invoker, ledger)));
            if (v.size() != toCheck.size()) {
                throw new El4nerException("validator " + validator.get().getClass().getName() + " returned "
                        + v.size() + " verdicts for " + toCheck.size() + " entities");
            }
            for (int i = 0; i < toCheck.size(); i++) {
                TypedSpan t = toCheck.get(i);
                Verdict verdict = v.get(i);
                verdicts.put(t.text(), verdict);
                if (!verdict.keep()) {
                    if (trace != null) {
                        trace.rejected.add(t.text());
                    }
                    ledger.report(new Diagnostic(Diagnostic.Kind.REJECTED_BY_VALIDATOR, Stage.VALIDATION, "",
                            "removed '" + t.text() + "' as " + t.type() + "; rejected by " + verdict.rejectedBy()
                                    + ", accepted by " + verdict.acceptedBy(), t.text()));
                }
                status.put(t.text(), verdict.answered() ? Provenance.ValidationStatus.ACCEPTED
                        : Provenance.ValidationStatus.UNVERIFIED);
            }
        }

        List<Entity> entities = new ArrayList<>();
        for (SpanProposal p : selected) {
            LabelDecision d = decisions.get(p.text());
            Verdict verdict = verdicts.get(p.text());
            if (d == null || (verdict != null && !verdict.keep())) {
                continue;
            }
            Provenance prov = new Provenance(p.proposedBy(), labels.get(p.text()), status.get(p.text()),
                    verdict == null ? List.of() : verdict.acceptedBy(),
                    verdict == null ? List.of() : verdict.rejectedBy());
            entities.add(new Entity(p.start(), p.end(), d.label(), p.text(), d.confidence(), prov));
        }
        return entities;
    }

    private boolean unanimous(String surface, LabelDecision d, Map<String, String> l, List<SpanProposal> selected) {
        if (!d.unanimous() || l.size() != names.size()) {
            return false;
        }
        return selected.stream().filter(p -> p.text().equals(surface))
                .allMatch(p -> p.proposedBy().size() == names.size());
    }
}
