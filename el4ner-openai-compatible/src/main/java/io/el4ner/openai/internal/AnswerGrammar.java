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
 * <p><b>Spans.</b> A span may start at every index where {@link StringShape#mayStartAt(String, int)} holds and end
 * at every index where {@link StringShape#mayEndAt(String, int)} holds ({@link StringShape#starts(String)} and
 * {@link StringShape#ends(String)}): on a {@linkplain io.el4ner.api.Graphemes#isSpanBoundary(String, int) span
 * boundary}, never at whitespace. These are the rules of the contract itself, of the in-process constraint and of
 * el4ner's span anchoring, so the grammar allows exactly the strings the pipeline anchors as they are: never a span
 * that starts or ends inside a word, a letter with its combining marks or an emoji sequence.
 *
 * <p><b>Size.</b> Linear in the sentence: the sentence is cut at the indices where a span may start or end into
 * pieces, one rule per piece, {@code sK ::= "pieceK" sK+1?} (a span may stop after the piece where one may end,
 * and must go on where none may; the whitespace between two words goes into the rule before it, {@code sK ::= "word"
 * (" " sK+2)?}), and one rule {@code sub ::= "\"" (s0 | s3 | ...) "\""} choosing where the span starts;
 * never the n² substrings.
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

        /** The sentence's allowed substrings as a JSON string; written once, shared by every use. */
        private String substring() {
            if (substring != null) {
                return substring.isEmpty() ? null : substring;
            }
            boolean[] mayStart = StringShape.starts(sentence);
            boolean[] mayEnd = StringShape.ends(sentence);
            // The cut points: every index where a span may start or end, in order.
            int[] cuts = new int[sentence.length() + 1];
            int m = 0;
            for (int i = 0; i <= sentence.length(); i++) {
                if (mayStart[i] || mayEnd[i]) {
                    cuts[m++] = i;
                }
            }
            // Piece k is [cuts[k], cuts[k+1]); s_k derives the spans from cuts[k] on. It can end somewhere iff a
            // span may end at cuts[k+1] or s_(k+1) can end.
            boolean[] productive = new boolean[m + 1];
            for (int k = m - 2; k >= 0; k--) {
                productive[k] = mayEnd[cuts[k + 1]] || productive[k + 1];
            }
            // A piece where no span may start and after which none may end (the whitespace between two words) is
            // written inside the rule before it rather than as a rule of its own.
            boolean[] inline = new boolean[m];
            for (int k = 0; k + 1 < m; k++) {
                inline[k] = !mayStart[cuts[k]] && !mayEnd[cuts[k + 1]];
            }
            // Rules are numbered in order among the pieces that get one.
            String[] names = new String[m];
            int rulesWritten = 0;
            for (int k = 0; k + 1 < m; k++) {
                if (productive[k] && !inline[k]) {
                    names[k] = "s" + rulesWritten++;
                }
            }
            List<String> starts = new ArrayList<>();
            StringBuilder b = new StringBuilder(sentence.length() * 2 + 16 * m);
            for (int k = 0; k + 1 < m; k++) {
                if (names[k] == null) {
                    continue;
                }
                if (mayStart[cuts[k]]) {
                    starts.add(names[k]);
                }
                b.append(names[k]).append(" ::= ").append(literal(jsonText(sentence, cuts[k], cuts[k + 1])));
                int next = k + 1;
                if (productive[next]) {
                    String go = names[next];
                    boolean optional = mayEnd[cuts[next]];
                    if (inline[next]) { // never two in a row: the cut after an inlined piece is a start
                        go = literal(jsonText(sentence, cuts[next], cuts[next + 1])) + " " + names[next + 1];
                        b.append(optional ? " (" + go + ")?" : " " + go);
                    } else {
                        b.append(' ').append(go).append(optional ? "?" : "");
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
