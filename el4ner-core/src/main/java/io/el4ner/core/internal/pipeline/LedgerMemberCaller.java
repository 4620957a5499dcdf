package io.el4ner.core.internal.pipeline;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.internal.exec.CallLedger;
import io.el4ner.core.internal.exec.MemberInvoker;
import io.el4ner.core.internal.exec.ReadingMemberCaller;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/** Gives validators access to the members, with this run's accounting. */
final class LedgerMemberCaller implements ReadingMemberCaller {
    private final List<ModelMember> members;
    private final List<String> names;
    private final MemberInvoker invoker;
    private final CallLedger ledger;

    /**
     * @param members the members, in ensemble order
     * @param invoker calls members
     * @param ledger the run's ledger
     */
    LedgerMemberCaller(List<ModelMember> members, MemberInvoker invoker, CallLedger ledger) {
        this.members = members;
        this.names = members.stream().map(ModelMember::name).toList();
        this.invoker = invoker;
        this.ledger = ledger;
    }

    @Override
    public List<String> memberNames() {
        return names;
    }

    @Override
    public Map<String, ChatResponse> callAll(List<String> wanted, ChatRequest request) {
        Map<String, ChatResponse> out = new LinkedHashMap<>();
        callAll(wanted, request, text -> null).forEach((m, a) -> out.put(m, a.response()));
        return out;
    }

    @Override
    public <T> Map<String, MemberInvoker.Answer<T>> callAll(List<String> wanted, ChatRequest request,
                                                            Function<String, T> parser) {
        List<ModelMember> chosen = new ArrayList<>();
        for (String w : wanted) {
            int i = names.indexOf(w);
            if (i < 0) {
                throw new IllegalArgumentException("no member named '" + w + "'; members: " + names);
            }
            chosen.add(members.get(i));
        }
        Map<String, MemberInvoker.Answer<T>> out = new LinkedHashMap<>();
        invoker.callAll(Stage.VALIDATION, chosen, m -> request, parser, ledger)
                .forEach((m, a) -> out.put(m.name(), a));
        return out;
    }

    @Override
    public void report(Diagnostic diagnostic) {
        ledger.report(diagnostic);
    }

    @Override
    public void report(Diagnostic.Kind kind, String member, Supplier<Diagnostic> diagnostic) {
        ledger.report(kind, Stage.VALIDATION, member, diagnostic);
    }

    @Override
    public void omitted(Diagnostic.Kind kind, String member, long count) {
        ledger.omitted(kind, Stage.VALIDATION, member, count);
    }
}
