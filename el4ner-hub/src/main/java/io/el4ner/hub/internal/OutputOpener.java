package io.el4ner.hub.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens the partial file a download writes to; tests substitute one that fails as a full disk does. */
@FunctionalInterface
public interface OutputOpener {
    /** Opens the file with {@link Files#newOutputStream}. */
    OutputOpener FILES = (path, append) -> append
            ? Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)
            : Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);

    /**
     * @param path the partial file
     * @param append whether to write after what it holds (a resumed download) rather than from the start
     * @return the stream
     * @throws IOException if it cannot be opened
     */
    OutputStream open(Path path, boolean append) throws IOException;
}
