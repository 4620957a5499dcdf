/**
 * el4ner's evaluation: CoNLL data, scoring, resumable evaluation runs and their reports ({@code io.el4ner.eval}),
 * and the members that answer without a model ({@code simulated}, {@code replay-predictions},
 * {@code record-replay}), found with {@link java.util.ServiceLoader} like any other member.
 */
module io.el4ner.eval {
    requires transitive io.el4ner.core;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;

    exports io.el4ner.eval;

    uses io.el4ner.api.spi.ModelMemberProvider;

    provides io.el4ner.api.spi.ModelMemberProvider with
            io.el4ner.eval.internal.ReplayPredictionsProvider,
            io.el4ner.eval.internal.SimulatedProvider,
            io.el4ner.eval.internal.RecordReplayProvider;
}
