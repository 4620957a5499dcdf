package io.el4ner.eval;

import io.el4ner.api.El4nerException;

/**
 * A dataset or predictions file that cannot be read as what it claims to be: a malformed line, a tag that is not
 * {@code O}/{@code B-}/{@code I-}/{@code E-}/{@code S-}, a changing column count, invalid UTF-8, an entity whose
 * text is not the text at its offsets. The message starts with {@code source:line: }.
 *
 * @since 0.1
 */
public class DatasetFormatException extends El4nerException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;

    /**
     * @param source the file (or other source) name
     * @param line the 1-based line number, or 0 when no single line is at fault
     * @param message what is wrong with the line
     */
    public DatasetFormatException(String source, int line, String message) {
        super(source + (line > 0 ? ":" + line : "") + ": " + message);
        this.source = source;
        this.line = line;
    }

    /** @return the file (or other source) name */
    public String source() {
        return source;
    }

    /** @return the 1-based line number, or 0 when no single line is at fault */
    public int line() {
        return line;
    }
}
