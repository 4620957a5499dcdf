package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.EnsembleFailureException;
import io.el4ner.api.Stage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code recognize} words a failure of every member for CLI users (core's message is for Java callers). */
class RecognizeFailureTest {
    private static Diagnostic failure(String member, String message) {
        return new Diagnostic(Diagnostic.Kind.MEMBER_FAILURE, Stage.EXTRACTION, member, message, "");
    }

    @Test
    void failureLines_coreMessage_dropsTheApiHintAndListsEachMember() {
        EnsembleFailureException e = new EnsembleFailureException("no member answered the EXTRACTION stage; see "
                + "failures() for each member's error", List.of(failure("a", "connection refused"),
                failure("b", "HTTP 500")));
        assertThat(RecognizeCommand.failureLines(e, Secrets.NONE)).containsExactly(
                "error: recognition failed: no member answered the EXTRACTION stage; each member's error:",
                "  member 'a' (extraction): connection refused",
                "  member 'b' (extraction): HTTP 500");
    }

    @Test
    void failureLines_hintInParentheses_isDroppedToo() {
        EnsembleFailureException e = new EnsembleFailureException("no member answered the CLASSIFICATION stage "
                + "(see failures() for each member's error)", List.of(failure("a", "timeout")));
        assertThat(RecognizeCommand.failureLines(e, Secrets.NONE).get(0)).isEqualTo(
                "error: recognition failed: no member answered the CLASSIFICATION stage; each member's error:");
    }

    @Test
    void failureLines_noFailures_isTheMessageAlone() {
        EnsembleFailureException e = new EnsembleFailureException("the validator failed", List.of());
        assertThat(RecognizeCommand.failureLines(e, Secrets.NONE))
                .containsExactly("error: recognition failed: the validator failed");
    }

    /** The member line evaluate prints under a failed sentence too: the stage as given, the message masked. */
    @Test
    void memberErrorLine_secretInMessage_isMasked() {
        Secrets secrets = Secrets.in(JsonMapper.builder().build().valueToTree(Map.of("members", List.of(Map.of(
                "parameters", Map.of("apiKey", "sk-secret-123456"))))), Map.<String, String>of()::get);
        assertThat(RecognizeCommand.memberErrorLine("a", "validation", "HTTP 401 for key sk-secret-123456", secrets))
                .isEqualTo("  member 'a' (validation): HTTP 401 for key " + Secrets.MASK);
    }
}
