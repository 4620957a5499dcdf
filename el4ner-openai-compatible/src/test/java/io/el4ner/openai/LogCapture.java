package io.el4ner.openai;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures what slf4j-simple prints (it writes to {@code System.err} as it is at each line) and turns the given
 * loggers up to DEBUG while open, so that tests can check the debug lines too. Not for concurrent tests.
 */
final class LogCapture implements AutoCloseable {
    /** slf4j-simple's level number for DEBUG ({@code org.slf4j.event.EventConstants.DEBUG_INT}). */
    private static final int DEBUG = 10;

    private final PrintStream err = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Integer> levels = new ArrayList<>();

    /** @param debugLoggers the names of the loggers to turn up to DEBUG, e.g. a class's name */
    LogCapture(String... debugLoggers) {
        for (String name : debugLoggers) {
            Logger l = LoggerFactory.getLogger(name);
            loggers.add(l);
            levels.add(level(l, DEBUG));
        }
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    /** @return everything logged so far */
    String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        System.setErr(err);
        for (int i = 0; i < loggers.size(); i++) {
            level(loggers.get(i), levels.get(i));
        }
    }

    /** Sets a SimpleLogger's level; returns the previous one. */
    private static int level(Logger logger, int level) {
        try {
            Field f = logger.getClass().getDeclaredField("currentLogLevel");
            f.setAccessible(true);
            int previous = f.getInt(logger);
            f.setInt(logger, level);
            return previous;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the test binding is not slf4j-simple: " + logger.getClass(), e);
        }
    }
}
