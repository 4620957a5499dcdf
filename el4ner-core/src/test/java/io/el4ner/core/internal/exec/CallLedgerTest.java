package io.el4ner.core.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.Stage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 10, defect 2: a call's diagnostics are bounded per kind, member and stage, and what is left out counted. */
class CallLedgerTest {
    static Diagnostic d(Diagnostic.Kind kind, Stage stage, String member, int i) {
        return new Diagnostic(kind, stage, member, "problem " + i, "detail");
    }

    @Test
    void report_beyondTheLimitPerKind_countsTheRestInOneSummaryWhereTheFirstWasLeftOut() {
        CallLedger ledger = new CallLedger();
        for (int i = 0; i < 25; i++) {
            ledger.report(d(Diagnostic.Kind.MALFORMED_ITEM, Stage.EXTRACTION, "a", i));
        }
        for (int i = 0; i < 3; i++) {
            ledger.report(d(Diagnostic.Kind.MALFORMED_ITEM, Stage.EXTRACTION, "b", i));
            ledger.report(d(Diagnostic.Kind.MALFORMED_ITEM, Stage.CLASSIFICATION, "a", i));
        }
        for (int i = 0; i < 30; i++) {
            ledger.report(d(Diagnostic.Kind.MEMBER_FAILURE, Stage.VALIDATION, "a", i)); // never summarised
        }
        ledger.omitted(Diagnostic.Kind.MALFORMED_ITEM, Stage.EXTRACTION, "a", 1_000_000);
        ledger.omitted(Diagnostic.Kind.UNANCHORED_SPAN, Stage.EXTRACTION, "c", 0); // nothing
        int[] made = {0};
        for (int i = 0; i < 50; i++) {
            ledger.report(Diagnostic.Kind.UNEXPECTED_SPAN, Stage.CLASSIFICATION, "a", () -> {
                made[0]++;
                return d(Diagnostic.Kind.UNEXPECTED_SPAN, Stage.CLASSIFICATION, "a", 0);
            });
        }

        List<Diagnostic> all = ledger.diagnostics();
        assertThat(made[0]).as("diagnostics beyond the limit are not even made").isEqualTo(CallLedger.MAX_PER_KIND);
        assertThat(all).hasSize(20 + 1 + 3 + 3 + 30 + 20 + 1);
        assertThat(all.get(20).message()).isEqualTo("… and 1000005 more malformed_item diagnostics not listed "
                + "(at most 20 are listed per member, stage and kind)");
        assertThat(all.get(20).member()).isEqualTo("a");
        assertThat(all.get(20).stage()).isEqualTo(Stage.EXTRACTION);
        assertThat(all.get(all.size() - 1).message()).startsWith("… and 30 more unexpected_span");
        assertThat(all).filteredOn(x -> x.kind() == Diagnostic.Kind.MEMBER_FAILURE).hasSize(30);

        // a text's ledger takes each sentence's as it is, summaries included, after its own
        CallLedger text = new CallLedger();
        text.report(d(Diagnostic.Kind.WINDOWED, Stage.PRE_EXTRACTION, "", 0));
        text.absorb(ledger);
        text.absorb(ledger);
        assertThat(text.diagnostics()).hasSize(1 + 2 * all.size());
        assertThat(text.diagnostics().subList(1, 1 + all.size())).isEqualTo(all);
    }
}
