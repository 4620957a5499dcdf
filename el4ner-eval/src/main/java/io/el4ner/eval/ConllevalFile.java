package io.el4ner.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A file in the input format of conlleval: one token per line, items separated by single spaces, the last two
 * items the gold tag and the predicted tag ({@code token ... gold predicted}); sentences separated by blank
 * lines.
 *
 * <p>The lines are read as the script reads them: items are split at every single space (two spaces make an
 * empty item; trailing empty items are dropped, so a line of spaces is blank); every non-blank line must have as
 * many items as the first non-blank line, and at least two; a blank line or a line whose first item is
 * {@code -X-} is a sentence boundary. A line whose first item is {@code -DOCSTART-} and whose two tags are
 * {@code O} is a boundary too (the script counts it as a token tagged {@code O}, which ends chunks exactly as a
 * boundary does). Lines end with {@code \n}; unlike the script, a {@code \r} before it is dropped, so files with
 * Windows line ends read like the same file with Unix ones. A leading byte order mark is dropped.
 *
 * @since 0.1
 */
public final class ConllevalFile {
    private static final String BOUNDARY = "-X-";
    private static final String DOCSTART = "-DOCSTART-";

    private final List<ScoredSentence> sentences;
    private final boolean endsWithBoundary;

    private ConllevalFile(List<ScoredSentence> sentences, boolean endsWithBoundary) {
        this.sentences = List.copyOf(sentences);
        this.endsWithBoundary = endsWithBoundary;
    }

    /**
     * @param text the content of a conlleval file
     * @return the parsed file
     * @throws ConllevalFormatException naming the line of a line with too few items or a different number of
     *     items than the first
     */
    public static ConllevalFile parse(String text) {
        Objects.requireNonNull(text, "text");
        List<ScoredSentence> sentences = new ArrayList<>();
        List<String> gold = new ArrayList<>();
        List<String> predicted = new ArrayList<>();
        int sentenceLine = 0;
        int expected = -1;
        int expectedLine = 0;
        boolean lastWasBoundary = true;
        int pos = text.startsWith("\uFEFF") ? 1 : 0;
        int lineNo = 0;
        List<String> fields = new ArrayList<>();
        while (pos < text.length()) {
            lineNo++;
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? text.length() : nl;
            int contentEnd = end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end;
            split(text, pos, contentEnd, fields);
            pos = nl < 0 ? text.length() : nl + 1;

            int count = fields.size();
            if (count > 0) {
                if (expected < 0) {
                    expected = count;
                    expectedLine = lineNo;
                } else if (count != expected) {
                    throw new ConllevalFormatException(lineNo, "found " + count + " items but line " + expectedLine
                            + " has " + expected + "; every line needs the same number of space-separated items "
                            + "(token ... gold predicted)");
                }
            }
            boolean boundary = count == 0 || fields.get(0).equals(BOUNDARY);
            if (!boundary && count < 2) {
                throw new ConllevalFormatException(lineNo, "found " + count + " item but a line needs at least two, "
                        + "the gold and the predicted tag, separated by single spaces");
            }
            if (!boundary) {
                String g = fields.get(count - 2);
                String p = fields.get(count - 1);
                boundary = fields.get(0).equals(DOCSTART) && g.equals("O") && p.equals("O");
                if (!boundary) {
                    if (gold.isEmpty()) {
                        sentenceLine = lineNo;
                    }
                    gold.add(g);
                    predicted.add(p);
                }
            }
            if (boundary && !gold.isEmpty()) {
                sentences.add(new ScoredSentence(gold, predicted, sentenceLine));
                gold.clear();
                predicted.clear();
            }
            lastWasBoundary = boundary;
        }
        if (!gold.isEmpty()) {
            sentences.add(new ScoredSentence(gold, predicted, sentenceLine));
        }
        return new ConllevalFile(sentences, lastWasBoundary);
    }

    /**
     * @param file a UTF-8 conlleval file
     * @return the parsed file
     * @throws IOException if it cannot be read or is not UTF-8
     * @throws ConllevalFormatException naming the line of a malformed line
     */
    public static ConllevalFile read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Splits like Perl's {@code split(/ /, $line)}: at every space, trailing empty items removed. */
    private static void split(String text, int from, int to, List<String> out) {
        out.clear();
        int start = from;
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == ' ') {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        out.add(text.substring(start, to));
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
    }

    /** @return the sentences, in file order, without empty ones */
    public List<ScoredSentence> sentences() {
        return sentences;
    }

    /** @return whether the last line read is a boundary (true for a file with no token) */
    public boolean endsWithBoundary() {
        return endsWithBoundary;
    }

    /** @return the number of tokens: the lines that are not boundaries (conlleval also counts -DOCSTART- lines) */
    public int tokenCount() {
        return sentences.stream().mapToInt(ScoredSentence::size).sum();
    }

    /** @return the conlleval counts of this file, {@link Scorer#conlleval(List, boolean)} */
    public ScoreReport scoreConlleval() {
        return Scorer.conlleval(sentences, endsWithBoundary);
    }

    /**
     * @param scheme {@link Scheme#IOB2} or {@link Scheme#BIOES}
     * @return the strict counts of this file, {@link Scorer#strict(List, Scheme)}
     * @throws StrictTagException naming the line of a tag that is not of the scheme
     */
    public ScoreReport scoreStrict(Scheme scheme) {
        return Scorer.strict(sentences, scheme);
    }
}
