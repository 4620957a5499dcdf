package io.el4ner.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class El4nerConfigurationExceptionTest {

    @Test
    void problems_oneMessage_isOneProblem() {
        El4nerConfigurationException e = new El4nerConfigurationException("no members: add one");
        assertThat(e.problems()).containsExactly("no members: add one");
        assertThat(e.getMessage()).isEqualTo("no members: add one");
    }

    @Test
    void getMessage_severalProblems_countsAndListsThemInOrder() {
        List<String> found = new ArrayList<>(List.of("verifier 'x' is not a member", "weights name 'y'"));
        El4nerConfigurationException e = new El4nerConfigurationException(found);
        found.clear(); // the exception keeps its own copy
        assertThat(e.problems()).containsExactly("verifier 'x' is not a member", "weights name 'y'");
        assertThat(e.getMessage()).isEqualTo("2 configuration problems: verifier 'x' is not a member; "
                + "weights name 'y'");
        assertThat(new El4nerConfigurationException(List.of("only one")).getMessage()).isEqualTo("only one");
    }

    @Test
    void problems_withARegisteredSecret_areRedacted() {
        String secret = "sk-problem-secret-4711";
        try (Redaction.Registration r = Redaction.register(secret)) {
            El4nerConfigurationException e = new El4nerConfigurationException(
                    List.of("the server refused " + secret, "and again " + secret));
            assertThat(e.problems()).containsExactly("the server refused ****", "and again ****");
            assertThat(e.getMessage()).doesNotContain(secret);
        }
    }

    @Test
    void constructor_noProblem_throwsIae() {
        assertThatThrownBy(() -> new El4nerConfigurationException(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
