package io.el4ner.eval;

import io.el4ner.api.El4nerException;

/**
 * A conlleval file that cannot be read: the message starts with {@code line N:} and says what is wrong. An
 * {@link El4nerException}, like every data-format error of el4ner.
 *
 * @since 0.1
 */
public final class ConllevalFormatException extends El4nerException {
    private static final long serialVersionUID = 1L;
    private final int line;

    /**
     * @param line the 1-based line number
     * @param problem what is wrong with the line
     */
    public ConllevalFormatException(int line, String problem) {
        super("line " + line + ": " + problem);
        this.line = line;
    }

    /** @return the 1-based line number */
    public int line() {
        return line;
    }
}
