package io.el4ner.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads CoNLL-style column files (UTF-8): one token a line, the token in the first column and its tag in the last
 * (or a chosen) column; columns separated by spaces or tabs (runs of either, both tolerated).
 *
 * <ul>
 *   <li>A blank line, or one holding only whitespace (WNUT-17's lone TAB), ends a sentence.</li>
 *   <li>A line whose first column is {@code -DOCSTART-} ends the sentence and is skipped; the next sentence is
 *       marked {@link ConllSentence#documentStart()}. Its column count is not checked.</li>
 *   <li>Every other line must have as many columns as the file's first token line; otherwise
 *       {@link DatasetFormatException} names the file and line.</li>
 *   <li>A malformed tag (not {@code O}, {@code B-}, {@code I-}, {@code E-}, {@code S-} + type, e.g.
 *       {@code X-PER}) is always an error with file and line. In {@linkplain Builder#strict strict} mode a tag the
 *       scheme does not allow where it stands (IOB2 {@code I-} after {@code O}, an IOB1 {@code B-} that does not
 *       follow the same type, an unclosed BIOES entity, {@code E-}/{@code S-} outside BIOES) is an error too;
 *       by default such sequences are kept and decoded leniently like {@code conlleval.pl} does.</li>
 *   <li>A leading byte order mark and {@code \r} line ends are accepted; invalid UTF-8 is an error.</li>
 * </ul>
 *
 * <p>A reader is immutable and thread-safe.
 *
 * @since 0.1
 */
public final class ConllReader {
    private static final String DOCSTART = "-DOCSTART-";

    private final int tagColumn;
    private final Scheme scheme;
    private final boolean strict;

    private ConllReader(Builder b) {
        this.tagColumn = b.tagColumn;
        this.scheme = b.scheme;
        this.strict = b.strict;
    }

    /** @return a builder: tag in the last column, {@link Scheme#IOB2}, lenient */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a reader with the defaults: tag in the last column, {@link Scheme#IOB2}, lenient */
    public static ConllReader defaults() {
        return builder().build();
    }

    /** @return the 0-based column of the tags; negative counts from the end ({@code -1}: the last) */
    public int tagColumn() {
        return tagColumn;
    }

    /** @return the scheme the tags follow */
    public Scheme scheme() {
        return scheme;
    }

    /** @return whether tags the scheme does not allow are errors */
    public boolean strict() {
        return strict;
    }

    /**
     * Reads a whole file.
     *
     * @param file a UTF-8 column file
     * @return its sentences, in order
     * @throws IOException if the file cannot be read
     * @throws DatasetFormatException naming the file and line of the first malformed line
     */
    public List<ConllSentence> read(Path file) throws IOException {
        try (Stream<ConllSentence> s = stream(file)) {
            return s.toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Reads a file sentence by sentence; close the stream to close the file.
     *
     * @param file a UTF-8 column file
     * @return its sentences, in order, read as the stream is consumed; a read failure is thrown as
     *     {@link UncheckedIOException}, a malformed line as {@link DatasetFormatException}
     * @throws IOException if the file cannot be opened
     */
    public Stream<ConllSentence> stream(Path file) throws IOException {
        Path name = file.getFileName();
        return stream(Files.newBufferedReader(file, StandardCharsets.UTF_8), file.toString(),
                name == null ? file.toString() : name.toString());
    }

    /**
     * Reads column text sentence by sentence; closing the stream closes {@code reader}.
     *
     * @param reader the text
     * @param source its name in messages and sentence ids
     * @return the sentences, in order, read as the stream is consumed
     */
    public Stream<ConllSentence> stream(BufferedReader reader, String source) {
        return stream(reader, source, source);
    }

    private Stream<ConllSentence> stream(BufferedReader reader, String source, String idPrefix) {
        Parser parser = new Parser(reader, source, idPrefix);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(parser,
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(() -> {
                    try {
                        reader.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /** Options of a {@link ConllReader}. */
    public static final class Builder {
        private int tagColumn = -1;
        private Scheme scheme = Scheme.IOB2;
        private boolean strict;

        private Builder() {
        }

        /**
         * @param column the 0-based column of the tags, at least 1 (column 0 holds the token); negative counts from
         *     the end: {@code -1} (the default) is the last column
         * @return this builder
         */
        public Builder tagColumn(int column) {
            if (column == 0) {
                throw new IllegalArgumentException("column 0 holds the tokens; the tag column is >= 1 or < 0");
            }
            this.tagColumn = column;
            return this;
        }

        /**
         * @param scheme the scheme the tags follow (checked in strict mode); default {@link Scheme#IOB2}
         * @return this builder
         */
        public Builder scheme(Scheme scheme) {
            this.scheme = Objects.requireNonNull(scheme, "scheme");
            return this;
        }

        /**
         * @param strict whether a tag the scheme does not allow where it stands is an error (default false:
         *     such tags are decoded leniently); malformed tags are errors either way
         * @return this builder
         */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /** @return the reader */
        public ConllReader build() {
            return new ConllReader(this);
        }
    }

    /** Turns lines into sentences, one sentence ahead. */
    private final class Parser implements Iterator<ConllSentence> {
        private final BufferedReader in;
        private final String source;
        private final String idPrefix;
        private final List<String> tokens = new ArrayList<>();
        private final List<String> tags = new ArrayList<>();
        private final String[] fields = new String[64];
        private int[] lines = new int[64];
        private int lineNo;
        private int columns = -1;
        private int firstColumnsLine;
        private boolean docStart;
        private boolean eof;
        private ConllSentence next;

        Parser(BufferedReader in, String source, String idPrefix) {
            this.in = in;
            this.source = source;
            this.idPrefix = idPrefix;
        }

        @Override
        public boolean hasNext() {
            while (next == null && !eof) {
                next = advance();
            }
            return next != null;
        }

        @Override
        public ConllSentence next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ConllSentence s = next;
            next = null;
            return s;
        }

        /** @return the next sentence, or null at the end of the input or at a blank line after none */
        private ConllSentence advance() {
            String line = readLine();
            if (line == null) {
                eof = true;
                return flush();
            }
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            int n = split(line);
            if (n == 0) {
                return flush();
            }
            if (fields[0].equals(DOCSTART)) {
                ConllSentence s = flush();
                docStart = true;
                return s;
            }
            if (columns < 0) {
                columns = n;
                firstColumnsLine = lineNo;
            } else if (n != columns) {
                throw error(lineNo, "found " + n + (n == 1 ? " column" : " columns") + ", but line " + firstColumnsLine + " has " + columns
                        + "; every token line of a file needs the same columns");
            }
            int column = tagColumn < 0 ? n + tagColumn : tagColumn;
            if (column <= 0 || column >= n) {
                throw error(lineNo, n == 1 ? "only one column: expected a token and a tag"
                        : "the chosen tag column does not exist in this line of " + n + " columns");
            }
            String tag = fields[column];
            if (!Scheme.isWellFormed(tag)) {
                throw error(lineNo, "'" + tag + "' is not a tag: use O, or B-, I-, E- or S- followed by a type");
            }
            if (tokens.size() == lines.length) {
                lines = Arrays.copyOf(lines, lines.length * 2);
            }
            lines[tokens.size()] = lineNo;
            tokens.add(fields[0]);
            tags.add(tag);
            return null;
        }

        private String readLine() {
            try {
                String line = in.readLine();
                if (line != null) {
                    lineNo++;
                }
                return line;
            } catch (CharacterCodingException e) {
                throw error(lineNo + 1, "not valid UTF-8 (" + e + "); convert the file to UTF-8");
            } catch (IOException e) {
                throw new UncheckedIOException(source + ": " + e.getMessage(), e);
            }
        }

        /** Splits on runs of spaces and tabs; returns the number of fields, 0 for a blank line. */
        private int split(String line) {
            int n = 0;
            int len = line.length();
            int i = 0;
            while (i < len) {
                while (i < len && isSeparator(line.charAt(i))) {
                    i++;
                }
                if (i == len) {
                    break;
                }
                int start = i;
                while (i < len && !isSeparator(line.charAt(i))) {
                    i++;
                }
                if (n == fields.length) {
                    throw error(lineNo, "more than " + fields.length + " columns");
                }
                fields[n++] = line.substring(start, i);
            }
            return n == 0 || line.isBlank() ? 0 : n;
        }

        private static boolean isSeparator(char c) {
            return c == ' ' || c == '\t' || c == '\r';
        }

        private ConllSentence flush() {
            if (tokens.isEmpty()) {
                return null;
            }
            if (strict) {
                for (int i = 0; i < tags.size(); i++) {
                    String problem = scheme.violation(tags, i);
                    if (problem != null) {
                        throw error(lines[i], problem);
                    }
                }
            }
            ConllSentence s = new ConllSentence(idPrefix + ":" + lines[0], tokens, tags, lines[0], docStart);
            tokens.clear();
            tags.clear();
            docStart = false;
            return s;
        }

        private DatasetFormatException error(int line, String message) {
            return new DatasetFormatException(source, line, message);
        }
    }
}
