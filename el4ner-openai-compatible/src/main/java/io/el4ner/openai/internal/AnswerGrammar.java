package io.el4ner.openai.internal;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.AnswerContract.ArrayShape;
import io.el4ner.api.AnswerContract.BooleanShape;
import io.el4ner.api.AnswerContract.Field;
import io.el4ner.api.AnswerContract.ObjectShape;
import io.el4ner.api.AnswerContract.Shape;
import io.el4ner.api.AnswerContract.StringRule;
import io.el4ner.api.AnswerContract.StringShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An {@link AnswerContract} as a GBNF grammar that a server's grammar engine enforces token by token: the whole
 * answer (objects with their fields in order, arrays, {@link StringRule#ONE_OF} strings as their JSON spelling,
 * {@code true}/{@code false}, at most {@value #MAX_WHITESPACE} whitespace characters in a row where JSON allows
 * whitespace), with every {@link StringRule#SUBSTRING_OF_SENTENCE} string restricted to the sentence's
 * <em>token-aligned</em> substrings, written as the sentence's text JSON-escaped.
 *
 * <p><b>Tokens.</b> The sentence is cut into tokens ({@link #tokens(String)}): a run of letters and digits (with their
 * combining marks) is one token; every other visible character (punctuation, a symbol, an emoji sequence, a flag, an
 * ideograph, kana, Thai...) is a token of its own; whitespace separates tokens and belongs to none. A span starts at
 * a token's start and ends at a token's end, so it never starts or ends with whitespace, never cuts a word, a
 * surrogate pair, a letter from its combining marks nor an emoji sequence: every such span is one that
 * {@link StringShape#allows(String, String)} accepts (those helpers allow code point boundaries, so a span could
 * start mid-word; the grammar is stricter, on purpose: el4ner's pipeline anchors spans on token boundaries only and
 * reports the others as unanchored, so a mid-word span is lost work).
 *
 * <p><b>Size.</b> Linear in the sentence: one rule per token, {@code sK ::= "tokenK" ("sepK" sK+1)?} (the span may
 * stop after each token or go on through the separator), and one rule {@code sub ::= "\"" (s0 | s1 | ...) "\""}
 * choosing where the span starts; never the n² substrings.
 *
 * <p><b>Dialect.</b> Only what both llama.cpp's GBNF and xgrammar's EBNF (vLLM's default structured-output backend)
 * accept, so one text serves both servers. Facts relied on:
 * <ul>
 *   <li>llama.cpp {@code grammars/README.md}: rules {@code name ::= sequence}, the start rule is {@code root}, names
 *       of letters, digits, dashes and underscores; string literals in double quotes; character ranges
 *       {@code [...]}; {@code ( )}, {@code |}, {@code ?}, {@code *}; {@code x{0,N}} or, in earlier versions,
 *       {@code (x (x ...)?)?} nested N deep for bounded repetition ({@code x? x? ...} is slow); the server takes
 *       the grammar in the body field {@code grammar}, which it refuses together with {@code json_schema}
 *       (llama.cpp {@code tools/server} request parser: "Cannot use both json_schema and grammar").</li>
 *   <li>xgrammar {@code docs/defining_structures/ebnf_grammar.md}: GBNF-compatible; names of letters, digits,
 *       {@code _}, {@code -}, {@code .}, not starting with a digit; escapes {@code \"} and {@code \\} in literals;
 *       {@code \t \n \r} in literals and classes; non-ASCII written directly; no raw newline inside a literal.</li>
 *   <li>vLLM docs, <i>Structured Outputs</i> (v0.11+): {@code structured_outputs: {"grammar": "..."}} (formerly
 *       {@code guided_grammar}, removed in v0.12).</li>
 * </ul>
 * So the generator uses rule names of lowercase letters and digits only, nested optionals rather than
 * {@code {m,n}} (which older builds of both lack), and no escape in literals but {@code \"} and {@code \\}: the JSON
 * escaping of the sentence has already turned every control character into ASCII ({@code \n},
 * {@code \}{@code u0001}), and C1 controls, U+2028, U+2029 and lone surrogates are written {@code \}{@code uXXXX}
 * too, so every literal holds printable characters only. llama.cpp's own grammar matcher (as bundled in
 * node-llama-cpp 3.21.1) parses these grammars and accepts exactly what the test recognizer accepts on 6,800 cases
 * ({@code src/test/llama-cpp/README.md}); xgrammar could not be run here.
 *
 * <p>Stateless and thread-safe.
 */
public final class AnswerGrammar {
    /** The most whitespace characters in a row, where JSON allows whitespace; the in-process constraint's bound. */
    public static final int MAX_WHITESPACE = 8;

    private static final String WS_CHAR = "[ \\t\\n\\r]";
    private static final int ZWJ = 0x200D;

    private AnswerGrammar() {
    }

    /**
     * @param contract an answer contract
     * @return whether some string of its shape is {@link StringRule#SUBSTRING_OF_SENTENCE}: only then does a grammar
     *     say more than the contract's JSON Schema
     */
    public static boolean hasSubstringRule(AnswerContract contract) {
        return hasSubstringRule(contract.shape());
    }

    private static boolean hasSubstringRule(Shape shape) {
        if (shape instanceof ObjectShape o) {
            return o.fields().stream().anyMatch(f -> hasSubstringRule(f.value()));
        }
        if (shape instanceof ArrayShape a) {
            return hasSubstringRule(a.items());
        }
        return shape instanceof StringShape s && s.rule() == StringRule.SUBSTRING_OF_SENTENCE;
    }

    /**
     * The contract's answers as a grammar whose start rule is {@code root}. A shape that admits no value (a
     * {@link StringRule#ONE_OF} without values, a substring of a sentence without tokens) makes the array holding
     * it admit only {@code []}.
     *
     * @param contract an answer contract
     * @return the grammar text, one rule per line
     */
    public static String of(AnswerContract contract) {
        Objects.requireNonNull(contract, "contract");
        return new Writer(contract.sentence()).write(contract.shape());
    }

    /** Writes the rules of one grammar. */
    private static final class Writer {
        private final String sentence;
        private final StringBuilder rules = new StringBuilder(256);
        private int next;
        /** The name of the sentence's substring rule once written; null before; "" when no substring exists. */
        private String substring;
        private boolean whitespace;

        Writer(String sentence) {
            this.sentence = sentence;
        }

        String write(ObjectShape root) {
            String body = object(root);
            StringBuilder out = new StringBuilder(rules.length() + body.length() + 64);
            out.append("root ::= ").append(body).append('\n');
            out.append(rules);
            if (whitespace) {
                out.append("ws ::= ").append(nestedWhitespace()).append('\n');
            }
            return out.toString();
        }

        /** @return an expression for the shape's values, or null when it admits none */
        private String expression(Shape shape) {
            if (shape instanceof ObjectShape o) {
                String body = object(o);
                return body == null ? null : rule(body);
            }
            if (shape instanceof ArrayShape a) {
                String item = expression(a.items());
                if (item == null) {
                    return rule("\"[\" " + ws() + " \"]\"");
                }
                return rule("\"[\" " + ws() + " (" + item + " " + ws() + " (\",\" " + ws() + " " + item + " " + ws()
                        + ")*)? \"]\"");
            }
            if (shape instanceof StringShape s) {
                if (s.rule() == StringRule.SUBSTRING_OF_SENTENCE) {
                    return substring();
                }
                if (s.values().isEmpty()) {
                    return null;
                }
                List<String> alternatives = new ArrayList<>(s.values().size());
                s.values().forEach(v -> alternatives.add(literal(jsonString(v))));
                return alternatives.size() == 1 ? alternatives.get(0) : rule(String.join(" | ", alternatives));
            }
            if (shape instanceof BooleanShape) {
                return "(\"true\" | \"false\")";
            }
            throw new AssertionError(shape);
        }

        /** @return the object's rule body, or null when a field admits no value */
        private String object(ObjectShape o) {
            StringBuilder b = new StringBuilder("\"{\" ");
            for (int i = 0; i < o.fields().size(); i++) {
                Field f = o.fields().get(i);
                String value = expression(f.value());
                if (value == null) {
                    return null;
                }
                b.append(i == 0 ? "" : "\",\" ").append(ws()).append(' ').append(literal(jsonString(f.name())))
                        .append(' ').append(ws()).append(" \":\" ").append(ws()).append(' ').append(value)
                        .append(' ').append(ws()).append(' ');
            }
            return b.append("\"}\"").toString();
        }

        private String ws() {
            whitespace = true;
            return "ws";
        }

        /** @return a new rule's name, the rule written */
        private String rule(String body) {
            String name = "v" + next++;
            rules.append(name).append(" ::= ").append(body).append('\n');
            return name;
        }

        /** The sentence's token-aligned substrings as a JSON string; written once, shared by every use. */
        private String substring() {
            if (substring != null) {
                return substring.isEmpty() ? null : substring;
            }
            List<Token> tokens = tokens(sentence);
            int n = tokens.size();
            // s_i derives the spans that start at token i; it can end somewhere iff some token j >= i may end one.
            boolean[] productive = new boolean[n + 1];
            for (int i = n - 1; i >= 0; i--) {
                productive[i] = tokens.get(i).mayEnd || productive[i + 1];
            }
            List<String> starts = new ArrayList<>();
            StringBuilder b = new StringBuilder(sentence.length() * 2 + 16 * n);
            for (int i = 0; i < n; i++) {
                if (!productive[i]) {
                    continue;
                }
                Token t = tokens.get(i);
                if (t.mayStart) {
                    starts.add("s" + i);
                }
                b.append('s').append(i).append(" ::= ").append(literal(jsonText(sentence, t.start, t.end)));
                if (i + 1 < n && productive[i + 1]) {
                    String sep = literal(jsonText(sentence, t.end, tokens.get(i + 1).start));
                    String go = "s" + (i + 1);
                    if (sep.equals("\"\"")) {
                        b.append(' ').append(go).append(t.mayEnd ? "?" : "");
                    } else {
                        b.append(t.mayEnd ? " (" + sep + " " + go + ")?" : " " + sep + " " + go);
                    }
                }
                b.append('\n');
            }
            if (starts.isEmpty()) {
                substring = "";
                return null;
            }
            rules.append("sub ::= \"\\\"\" (").append(String.join(" | ", starts)).append(") \"\\\"\"\n");
            rules.append(b);
            substring = "sub";
            return substring;
        }
    }

    /** {@code ([ \t\n\r] ([ \t\n\r] (...)?)?)?}, {@value #MAX_WHITESPACE} deep: unambiguous and bounded. */
    private static String nestedWhitespace() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < MAX_WHITESPACE; i++) {
            b.append('(').append(WS_CHAR).append(i + 1 < MAX_WHITESPACE ? " " : "");
        }
        b.append(")?".repeat(MAX_WHITESPACE));
        return b.toString();
    }

    /**
     * One token of a sentence.
     *
     * @param start its first char's index
     * @param end the index after its last char
     * @param mayStart whether a span may start here (not before a combining mark or a joiner left alone)
     * @param mayEnd whether a span may end here (not after a joiner or a prepended mark)
     */
    public record Token(int start, int end, boolean mayStart, boolean mayEnd) {
    }

    /**
     * Cuts a sentence into the tokens a span string starts and ends on: whitespace ({@link Character#isWhitespace}
     * or {@link Character#isSpaceChar}) separates them; between two visible characters (a code point with the
     * combining marks, joiners, variation selectors, skin-tone modifiers and tag characters that follow it; two
     * regional indicators; what a joiner or a prepended concatenation mark glues) a token ends unless both are
     * letters or digits of a script written with spaces (ideographs, kana, Thai, Lao, Khmer and Myanmar characters
     * are tokens of their own). Linear in the sentence's length.
     *
     * @param sentence a sentence
     * @return its tokens, in order
     */
    public static List<Token> tokens(String sentence) {
        List<Token> out = new ArrayList<>();
        int n = sentence.length();
        int tokenStart = -1;
        boolean wordBefore = false; // whether the last visible character ends with a word character
        int i = 0;
        while (i < n) {
            int cp = sentence.codePointAt(i);
            if (isSpace(cp)) {
                if (tokenStart >= 0) {
                    out.add(token(sentence, tokenStart, i));
                    tokenStart = -1;
                }
                i += Character.charCount(cp);
                continue;
            }
            // One visible character: cp and what clings to it.
            int start = i;
            boolean pairOpen = isRegionalIndicator(cp);
            int last = cp;
            i += Character.charCount(cp);
            while (i < n) {
                int c = sentence.codePointAt(i);
                boolean glue = !isSpace(c) && (isExtender(c) || last == ZWJ || isPrepended(last)
                        || pairOpen && isRegionalIndicator(c));
                if (!glue) {
                    break;
                }
                if (pairOpen && isRegionalIndicator(c)) {
                    pairOpen = false;
                }
                last = c;
                i += Character.charCount(c);
            }
            if (tokenStart >= 0 && !(wordBefore && isWordChar(cp))) {
                out.add(token(sentence, tokenStart, start));
                tokenStart = -1;
            }
            if (tokenStart < 0) {
                tokenStart = start;
            }
            wordBefore = isWordChar(last);
        }
        if (tokenStart >= 0) {
            out.add(token(sentence, tokenStart, n));
        }
        return out;
    }

    private static Token token(String s, int start, int end) {
        int first = s.codePointAt(start);
        int last = s.codePointBefore(end);
        return new Token(start, end, !isExtender(first), last != ZWJ && !isPrepended(last));
    }

    private static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    /** A character that belongs to the one before it: a combining mark, a joiner, a modifier, a tag. */
    private static boolean isExtender(int cp) {
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK || cp == 0x200D || cp == 0x200C
                || cp >= 0xFE00 && cp <= 0xFE0F || cp >= 0xE0100 && cp <= 0xE01EF
                || cp >= 0x1F3FB && cp <= 0x1F3FF || cp >= 0xE0020 && cp <= 0xE007F
                || cp == 0xFF9E || cp == 0xFF9F;
    }

    /** A prepended concatenation mark: it belongs to the character after it. */
    private static boolean isPrepended(int cp) {
        return cp >= 0x0600 && cp <= 0x0605 || cp == 0x06DD || cp == 0x070F || cp == 0x0890 || cp == 0x0891
                || cp == 0x08E2 || cp == 0x110BD || cp == 0x110CD;
    }

    private static boolean isRegionalIndicator(int cp) {
        return cp >= 0x1F1E6 && cp <= 0x1F1FF;
    }

    /**
     * A letter, digit or combining mark (or joiner) of a script written with spaces between words: no token boundary
     * falls between two of them, the rule el4ner's span anchoring applies.
     */
    private static boolean isWordChar(int cp) {
        int t = Character.getType(cp);
        boolean mark = t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK || cp == ZWJ;
        if (!(Character.isLetterOrDigit(cp) || mark) || Character.isIdeographic(cp)) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script != Character.UnicodeScript.HIRAGANA && script != Character.UnicodeScript.KATAKANA
                && script != Character.UnicodeScript.THAI && script != Character.UnicodeScript.LAO
                && script != Character.UnicodeScript.KHMER && script != Character.UnicodeScript.MYANMAR;
    }

    /** @return the text as a JSON string literal, quotes included */
    static String jsonString(String s) {
        return "\"" + jsonText(s, 0, s.length()) + "\"";
    }

    /**
     * The chars {@code [from, to)} of a text as they are written inside a JSON string: {@code "} and {@code \}
     * escaped, controls as {@code \n}, {@code \t}, ... or {@code \}{@code u00XX}; C1 controls, U+2028, U+2029 and
     * lone surrogates as {@code \}{@code uXXXX}; everything else as it is.
     */
    static String jsonText(String s, int from, int to) {
        StringBuilder b = new StringBuilder(to - from + 8);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    boolean lone = Character.isHighSurrogate(c) ? i + 1 >= s.length()
                            || !Character.isLowSurrogate(s.charAt(i + 1))
                            : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || c >= 0x7F && c <= 0x9F || c == 0x2028 || c == 0x2029 || lone) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** @return the text as a grammar string literal: only {@code "} and {@code \} need escaping in both dialects */
    static String literal(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append('"').toString();
    }
}
