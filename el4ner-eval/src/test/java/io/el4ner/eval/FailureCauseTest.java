package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the report turns a member's error on one sentence into a cause that counts alike across sentences. */
class FailureCauseTest {
    @Test
    void cause_messageQuotingTheSentence_takesItOut() {
        assertThat(FailureCauses.cause("member 'a' has no gold data for the sentence: Carol met Dave",
                "Carol met Dave")).isEqualTo("member 'a' has no gold data for the sentence: \u2026");
        String longSentence = "This sentence is much longer than eighty characters, so a member quotes only its start"
                + " and three dots.";
        String quoted = longSentence.substring(0, 77) + "...";
        assertThat(FailureCauses.cause("no gold data for: " + quoted + " (member 'a')", longSentence))
                .isEqualTo("no gold data for: \u2026 (member 'a')");
    }

    @Test
    void cause_otherMessage_keepsItsTextWithWhitespaceMadeOneSpaceAndBounded() {
        assertThat(FailureCauses.cause("member 'a' did not answer within\n 30000 ms", "Hi there"))
                .isEqualTo("member 'a' did not answer within 30000 ms");
        // a few characters of the sentence are not a quote of it
        assertThat(FailureCauses.cause("HTTP 429 from Carol's server", "Carol met Dave in New York"))
                .isEqualTo("HTTP 429 from Carol's server");
        String huge = "x".repeat(1000);
        assertThat(FailureCauses.cause(huge, "s")).hasSize(FailureCauses.MAX_CAUSE_CHARS).endsWith("\u2026");
    }
}
