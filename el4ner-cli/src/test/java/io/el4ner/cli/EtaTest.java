package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.core.RecognitionProgress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one ETA format of {@code recognize} and {@code evaluate}: rounded up, never zero while work remains. */
class EtaTest {

    @ParameterizedTest(name = "{0} ms -> {1}")
    @CsvSource({
        "0, 0m00s",
        "1, 0m01s",
        "999, 0m01s",
        "1000, 0m01s",
        "1001, 0m02s",
        "59001, 1m00s",
        "61000, 1m01s",
        "3599000, 59m59s",
        "3599001, 1h00m",
        "3600000, 1h00m",
        "3600001, 1h01m",
        "3900000, 1h05m",
        "3901000, 1h06m",
        "90000000, 25h00m"})
    void format_roundsUpToTheUnitShown(long millis, String expected) {
        assertThat(Eta.format(millis, millis > 0)).isEqualTo(expected);
    }

    @Test
    void format_workLeftIsNeverZero() {
        assertThat(Eta.format(0, true)).isEqualTo("0m01s");
        assertThat(Eta.format(0, false)).isEqualTo("0m00s");
    }

    @Test
    void format_noEstimateYet() {
        assertThat(Eta.format(-1, true)).isEqualTo("?");
    }

    @Test
    void format_durationRoundsNanosUp() {
        assertThat(Eta.format(Duration.ofNanos(1), true)).isEqualTo("0m01s");
        assertThat(Eta.format(Duration.ofMillis(2_000).plusNanos(1), true)).isEqualTo("0m03s");
        assertThat(Eta.format(Duration.ZERO, false)).isEqualTo("0m00s");
    }

    @Test
    void line_recognizeProgress_usesTheEta() {
        // 1 of 3 sentences after 1 ms: 2 ms left, which the old evaluate format showed as 0m00s
        RecognitionProgress p = new RecognitionProgress(1, 3, Duration.ofMillis(1));
        assertThat(RecognizeCommand.ProgressPrinter.line(p)).endsWith("ETA 0m01s");
    }
}
