/**
 * el4ner's engine: {@link io.el4ner.core.EnsembleNer} runs the EL4NER pipeline over the members, retriever,
 * aggregator and validator it is given or finds with {@link java.util.ServiceLoader}.
 */
module io.el4ner.core {
    requires transitive io.el4ner.api;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;

    exports io.el4ner.core;

    uses io.el4ner.api.spi.ModelMemberProvider;
    uses io.el4ner.api.spi.RetrieverProvider;
    uses io.el4ner.api.spi.AggregatorProvider;
    uses io.el4ner.api.spi.ValidatorProvider;
    uses io.el4ner.api.spi.SentenceEncoderProvider;

    provides io.el4ner.api.spi.RetrieverProvider with io.el4ner.core.internal.builtin.TokenOverlapRetrieverProvider,
            io.el4ner.core.internal.retrieval.SpanSimRetrieverProvider;
    provides io.el4ner.api.spi.AggregatorProvider with io.el4ner.core.internal.builtin.VotingAggregatorProvider;
    provides io.el4ner.api.spi.ValidatorProvider with io.el4ner.core.internal.builtin.SelfValidatorProvider;
}
