package io.el4ner.hub;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what slf4j-simple writes (it looks System.err up on every line) while an action runs. */
final class LogCapture {
    private LogCapture() {
    }

    static synchronized String during(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            action.run();
            return bytes.toString(StandardCharsets.UTF_8);
        } finally {
            System.setErr(original);
            System.err.print(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
