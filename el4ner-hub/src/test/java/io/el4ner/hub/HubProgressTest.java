package io.el4ner.hub;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class HubProgressTest {
    @Test
    void printingTo_smallFilesSilent_largeFilesStartAndEnd() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        HubProgress p = HubProgress.printingTo(new PrintStream(bytes, true, StandardCharsets.UTF_8), 1_000_000);

        p.update(new HubProgress.Transfer("o/m", "small.json", 0, 999, 0, false));
        p.update(new HubProgress.Transfer("o/m", "small.json", 999, 999, 0, true));
        p.update(new HubProgress.Transfer("o/m", "big.onnx", 0, 4_000_000, 0, false));
        p.update(new HubProgress.Transfer("o/m", "big.onnx", 4_000_000, 4_000_000, 2e6, true));

        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "Downloading o/m big.onnx: 0.0 MB of 4.0 MB (0%)",
                "Downloaded o/m big.onnx: 4.0 MB");
    }

    @Test
    void eta_fromRate() {
        assertThat(new HubProgress.Transfer("o/m", "f", 1_000, 11_000, 1_000, false).eta())
                .contains(Duration.ofSeconds(10));
        assertThat(new HubProgress.Transfer("o/m", "f", 0, 11_000, 0, false).eta()).isEmpty();
        assertThat(new HubProgress.Transfer("o/m", "f", 11_000, 11_000, 0, true).eta()).contains(Duration.ZERO);
    }
}
