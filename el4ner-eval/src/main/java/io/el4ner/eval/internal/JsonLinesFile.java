package io.el4ner.eval.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one reader of the JSON Lines files that el4ner appends to and reads back (evaluation predictions for resume
 * and reports, record-replay recordings, replayed predictions), and the one rule for a line cut short by a crash.
 *
 * <p>The rule works on bytes, so it holds wherever the cut falls, inside a multi-byte UTF-8 character included:
 * every record ends with a line break ({@code \n}; writers write a record and its line break at once). The bytes
 * after the last line break, if any, are the <em>tail</em>. A tail that decodes as UTF-8 and parses as one whole
 * JSON object is a complete record whose line break is missing (a file written by hand, or a crash between the
 * two): it is read, and {@link #makeAppendable} adds the line break. Any other tail is a torn line: it is ignored
 * with a warning, and {@link #makeAppendable} cuts it off, so the record is redone and no later record is ever
 * glued onto it. A line that ends with a line break is complete: if it is not UTF-8 or not JSON, the file is
 * damaged, and the error names the file and the line. Blank lines are skipped and a UTF-8 byte order mark at the
 * start is dropped.
 */
public final class JsonLinesFile {
    private static final Logger log = LoggerFactory.getLogger(JsonLinesFile.class);
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /**
     * One record of a file.
     *
     * @param line its 1-based line number
     * @param json the parsed line
     */
    public record Record(int line, JsonNode json) {
    }

    /** Makes the exception for a damaged complete line, in the caller's terms. */
    @FunctionalInterface
    public interface Damage {
        /**
         * @param line the 1-based line number
         * @param problem what is wrong with it, e.g. {@code "not valid UTF-8 …"}
         * @return the exception to throw; its message should name the file and the line
         */
        RuntimeException at(int line, String problem);
    }

    private JsonLinesFile() {
    }

    /**
     * Reads every record of a file, applying the torn-line rule.
     *
     * @param file the file
     * @param damage makes the exception for a complete line that is not UTF-8 or not JSON
     * @return the records, in file order, blank lines left out
     * @throws IOException when the file cannot be read
     */
    public static List<Record> read(Path file, Damage damage) throws IOException {
        List<Record> records = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            byte[] buffer = new byte[1 << 16];
            int number = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        line.write(buffer, from, i - from);
                        from = i + 1;
                        number++;
                        Record r = complete(line.toByteArray(), number, damage);
                        if (r != null) {
                            records.add(r);
                        }
                        line.reset();
                    }
                }
                line.write(buffer, from, n - from);
            }
            if (line.size() > 0) {
                number++;
                JsonNode tail = wholeObject(line.toByteArray(), number == 1);
                if (tail != null) {
                    records.add(new Record(number, tail));
                } else if (!blank(line.toByteArray())) {
                    log.warn("{}: ignoring line {}, cut short by an interrupted run ({} bytes without a line break)",
                            file, number, line.size());
                }
            }
        }
        return records;
    }

    /**
     * Makes a file end with a line break before records are appended to it, by the torn-line rule: a torn tail is
     * cut off, a complete one gets its line break. Call it holding whatever lock guards the file's writers.
     *
     * @param ch the file, open for reading and writing (not in append mode); left positioned at its end
     * @param file its name, for the warning
     * @return whether the file was changed
     * @throws IOException when it cannot be read or written
     */
    public static boolean makeAppendable(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        long tailStart = size;
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        boolean found = false;
        while (tailStart > 0 && !found) {
            int n = (int) Math.min(chunk.capacity(), tailStart);
            chunk.clear().limit(n);
            readFully(ch, chunk, tailStart - n);
            int i = n - 1;
            while (i >= 0 && chunk.get(i) != '\n') {
                i--;
            }
            if (i >= 0) {
                found = true;
                tailStart = tailStart - n + i + 1;
            } else {
                tailStart -= n;
            }
        }
        boolean changed = false;
        if (tailStart < size) {
            if (size - tailStart > Integer.MAX_VALUE - 16) {
                throw new IOException(file + ": its last line is longer than 2 GB");
            }
            ByteBuffer tail = ByteBuffer.allocate((int) (size - tailStart));
            readFully(ch, tail, tailStart);
            byte[] bytes = tail.array();
            if (blank(bytes) || wholeObject(bytes, tailStart == 0) != null) {
                ch.write(ByteBuffer.wrap(new byte[] {'\n'}), size);
            } else {
                log.warn("{}: cutting off its last {} bytes, a line cut short by an interrupted run; its record is "
                        + "redone", file, bytes.length);
                ch.truncate(tailStart);
            }
            changed = true;
        }
        ch.position(ch.size());
        return changed;
    }

    /**
     * Makes a file end with a line break, if it exists; see {@link #makeAppendable(FileChannel, Path)}.
     *
     * @param file the file
     * @return whether the file was changed
     * @throws IOException when it cannot be read or written
     */
    public static boolean makeAppendable(Path file) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            return makeAppendable(ch, file);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = ch.read(into, at);
            if (n < 0) {
                throw new IOException("the file shrank while it was read");
            }
            at += n;
        }
    }

    /** A line that ended with a line break: a record, null when blank, or the caller's exception when damaged. */
    private static Record complete(byte[] bytes, int number, Damage damage) {
        String text;
        try {
            text = decode(bytes, number == 1);
        } catch (CharacterCodingException e) {
            throw damage.at(number, "not valid UTF-8 (at byte " + firstMalformed(bytes) + " of the line); the "
                    + "file is damaged: restore it, or delete that line");
        }
        if (text.isBlank()) {
            return null;
        }
        try {
            return new Record(number, JSON.readTree(text));
        } catch (JsonProcessingException e) {
            throw damage.at(number, "not JSON (" + e.getOriginalMessage() + "); the file is damaged: restore it, "
                    + "or delete that line");
        }
    }

    /** The tail as a record, or null when it is not one whole JSON object (or not UTF-8). */
    private static JsonNode wholeObject(byte[] bytes, boolean first) {
        try {
            JsonNode n = JSON.readTree(decode(bytes, first));
            return n != null && n.isObject() ? n : null;
        } catch (CharacterCodingException | JsonProcessingException e) {
            return null;
        }
    }

    private static String decode(byte[] bytes, boolean first) throws CharacterCodingException {
        int from = first && startsWithBom(bytes) ? BOM.length : 0;
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, from, bytes.length - from));
        return chars.toString();
    }

    private static boolean startsWithBom(byte[] bytes) {
        return bytes.length >= 3 && bytes[0] == BOM[0] && bytes[1] == BOM[1] && bytes[2] == BOM[2];
    }

    /** The 1-based byte position of the first malformed sequence, for the message. */
    private static int firstMalformed(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        return in.position() + 1;
    }

    private static boolean blank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
