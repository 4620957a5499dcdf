package io.el4ner.core.internal.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.Demonstration;
import io.el4ner.api.LabeledSpan;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenOverlapRetrieverTest {
    private final Demonstration football = new Demonstration("Arsenal beat Chelsea in London.",
            List.of(new LabeledSpan(0, 7, "ORG"), new LabeledSpan(13, 20, "ORG"), new LabeledSpan(24, 30, "LOC")));
    private final Demonstration politics = new Demonstration("Merkel met Macron in Berlin.",
            List.of(new LabeledSpan(0, 6, "PER"), new LabeledSpan(11, 17, "PER"), new LabeledSpan(21, 27, "LOC")));
    private final Demonstration markets = new Demonstration("Shares fell in London.", List.of());
    private final TokenOverlapRetriever retriever =
            new TokenOverlapRetriever(List.of(football, politics, markets));

    @Test
    void retrieve_ranksByOverlapAndRespectsK() {
        assertThat(retriever.retrieve("Macron met Merkel again.", List.of(), 1)).containsExactly(politics);
        assertThat(retriever.retrieve("Chelsea lost in London.", List.of(), 2)).containsExactly(football, markets);
        assertThat(retriever.retrieve("anything", List.of(), 0)).isEmpty();
        assertThat(retriever.retrieve("anything", List.of(), 10)).hasSize(3);
    }

    @Test
    void retrieve_spansShiftTheRanking() {
        // sentence overlap alone favours markets; the pre-extracted span "Merkel" matches a gold span of politics
        assertThat(retriever.retrieve("Shares fell after Merkel spoke.", List.of("Merkel"), 1))
                .containsExactly(politics);
    }

    @Test
    void retrieve_neverReturnsTheSentenceItselfAndBreaksTiesByPoolOrder() {
        assertThat(retriever.retrieve(" Merkel met Macron in Berlin. ", List.of(), 3)).doesNotContain(politics);
        assertThat(retriever.retrieve("zzz", List.of(), 3)).containsExactly(football, politics, markets);
    }
}
