package io.el4ner.eval;

/**
 * A conlleval file that cannot be read: the message starts with {@code line N:} and says what is wrong.
 *
 * @since 0.1
 */
public final class ConllevalFormatException extends IllegalArgumentException {
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
