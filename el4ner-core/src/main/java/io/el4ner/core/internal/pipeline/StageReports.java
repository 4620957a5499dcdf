package io.el4ner.core.internal.pipeline;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.Stage;
import io.el4ner.core.internal.exec.CallLedger;
import io.el4ner.core.internal.llm.ResponseParser;
import java.util.Set;

/**
 * How every stage reports what it could not read in the members' answers, and the rule that a stage needs at least
 * one answer: shared so that the diagnostics of all stages read alike.
 */
final class StageReports {
    private StageReports() {
    }

    /**
     * Reports an answer that could not be read at all: one diagnostic with its problems and an excerpt.
     *
     * @param stage the stage
     * @param member the member
     * @param parsed what the parser made of the answer
     * @param excerpt the answer, redacted and cut
     * @param ledger where it goes
     */
    static void reportUnparseable(Stage stage, String member, ResponseParser.Parsed<?> parsed, String excerpt,
                                  CallLedger ledger) {
        String more = parsed.omitted() > 0 ? "; and " + parsed.omitted() + " more problems" : "";
        ledger.report(new Diagnostic(Diagnostic.Kind.UNPARSEABLE_OUTPUT, stage, member,
                String.join("; ", parsed.problems()) + more, excerpt));
    }

    /**
     * Reports the parts of an answer that could not be read, one diagnostic per problem listed (each with the
     * answer's excerpt, never the whole answer); those the parser only counted go to the ledger's summary.
     *
     * @param stage the stage
     * @param member the member
     * @param parsed what the parser made of the answer
     * @param excerpt the answer, redacted and cut
     * @param ledger where they go
     */
    static void reportProblems(Stage stage, String member, ResponseParser.Parsed<?> parsed, String excerpt,
                               CallLedger ledger) {
        for (String p : parsed.problems()) {
            ledger.report(new Diagnostic(Diagnostic.Kind.MALFORMED_ITEM, stage, member, p, excerpt));
        }
        ledger.omitted(Diagnostic.Kind.MALFORMED_ITEM, stage, member, parsed.omitted());
    }

    /**
     * Fails the sentence when no member gave a readable answer in a stage.
     *
     * @param stage the stage
     * @param answered the members that answered readably
     * @param ledger the run's ledger, whose failures of the stage go into the exception
     * @throws EnsembleFailureException when {@code answered} is empty
     */
    static void requireSome(Stage stage, Set<String> answered, CallLedger ledger) {
        if (answered.isEmpty()) {
            throw new EnsembleFailureException("no member answered the " + stage
                    + " stage; see failures() for each member's error", ledger.diagnostics().stream()
                    .filter(d -> d.stage() == stage && d.degrades()).toList(), ledger.usage(0));
        }
    }
}
