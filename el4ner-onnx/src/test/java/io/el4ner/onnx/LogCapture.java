package io.el4ner.onnx;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** Captures what slf4j-simple writes (it looks System.err up on every line) while an action runs. */
final class LogCapture {
    private LogCapture() {
    }

    record Captured<T>(T value, String log) {
    }

    static synchronized <T> Captured<T> during(Supplier<T> action) {
        PrintStream original = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            T value = action.get();
            return new Captured<>(value, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
            System.err.print(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
