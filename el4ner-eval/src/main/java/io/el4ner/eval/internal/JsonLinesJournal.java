package io.el4ner.eval.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way el4ner appends to a JSON Lines file (an evaluation run's predictions, record-replay's recordings).
 * Before the first record the file is made appendable by the torn-line rule of {@link JsonLinesFile}: a last line
 * cut short by a crash is cut off (and logged), so its record is redone and never glued to the next one; a whole
 * last record without its line break gets one. Each record is then one write of its line and its line break, so
 * a crash loses at most the record being written. Not thread-safe; {@link #appendLocked} is.
 */
public final class JsonLinesJournal implements Closeable {
    /** One JVM-wide monitor per file: FileChannel locks are per process and throw when overlapped in one. */
    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

    private final FileChannel ch;

    private JsonLinesJournal(FileChannel ch) {
        this.ch = ch;
    }

    /**
     * Opens a file for appending, creating it when missing, and applies the torn-line rule to its end.
     *
     * @param file the file
     * @return the journal, positioned at the end of the file
     * @throws IOException when the file cannot be opened, read or written
     */
    public static JsonLinesJournal open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            JsonLinesFile.makeAppendable(ch, file);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new JsonLinesJournal(ch);
    }

    /**
     * Appends one record: its JSON and a line break, in one write.
     *
     * @param json one JSON value on one line
     * @throws IOException when writing fails
     */
    public void append(String json) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /**
     * Appends one record to a file that several writers share (threads of this JVM and other processes): under a
     * JVM-wide monitor and a file lock, after the torn-line rule, and forced to disk before it returns.
     *
     * @param file the file, created when missing
     * @param json one JSON value on one line
     * @throws IOException when the file cannot be opened, locked or written
     */
    public static void appendLocked(Path file, String json) throws IOException {
        synchronized (MONITORS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new Object())) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
                JsonLinesFile.makeAppendable(ch, file);
                new JsonLinesJournal(ch).append(json);
                ch.force(false);
            }
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
