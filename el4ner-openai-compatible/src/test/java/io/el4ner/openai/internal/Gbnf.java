package io.el4ner.openai.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small GBNF recognizer for tests: parses a grammar (rules {@code name ::= expression}, one per line; string
 * literals with the escapes {@code \" \\ \n \r \t \xNN \}{@code uNNNN}; character classes with ranges and {@code ^};
 * rule references; groups; {@code |}; postfix {@code ? * +}; {@code #} comments) and decides whether a text, as
 * code points, is in the language of {@code root}. Membership is computed as the set of end positions each rule
 * reaches from each start position, memoized: cubic at worst, fine for test sizes. Left recursion is refused.
 */
final class Gbnf {
    private sealed interface Node permits Lit, Cls, Ref, Seq, Alt, Rep {
    }

    private record Lit(int[] cps) implements Node {
    }

    private record Cls(List<int[]> ranges, boolean negated) implements Node {
        boolean matches(int cp) {
            boolean in = false;
            for (int[] r : ranges) {
                in |= cp >= r[0] && cp <= r[1];
            }
            return in != negated;
        }
    }

    private record Ref(String name) implements Node {
    }

    private record Seq(List<Node> items) implements Node {
    }

    private record Alt(List<Node> options) implements Node {
    }

    private record Rep(Node node, int min, boolean unbounded) implements Node {
    }

    private final Map<String, Node> rules = new LinkedHashMap<>();

    private Gbnf() {
    }

    /**
     * @param text a grammar
     * @return it parsed
     * @throws IllegalArgumentException if it does not parse, defines a rule twice, references an undefined rule or has
     *     no {@code root}
     */
    static Gbnf parse(String text) {
        Gbnf g = new Gbnf();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int def = l.indexOf("::=");
            if (def < 0) {
                throw new IllegalArgumentException("line " + lineNo + ": no '::=': " + l);
            }
            String name = l.substring(0, def).strip();
            if (!name.matches("[A-Za-z][A-Za-z0-9_-]*")) {
                throw new IllegalArgumentException("line " + lineNo + ": bad rule name '" + name + "'");
            }
            Parser p = new Parser(l.substring(def + 3), lineNo);
            Node body = p.alternatives();
            p.skipSpace();
            if (!p.atEnd()) {
                throw new IllegalArgumentException("line " + lineNo + ": unexpected '" + p.rest() + "'");
            }
            if (g.rules.put(name, body) != null) {
                throw new IllegalArgumentException("rule '" + name + "' is defined twice");
            }
        }
        if (!g.rules.containsKey("root")) {
            throw new IllegalArgumentException("no root rule");
        }
        for (Node n : g.rules.values()) {
            g.checkRefs(n);
        }
        return g;
    }

    /** @return the number of rules */
    int size() {
        return rules.size();
    }

    private void checkRefs(Node n) {
        if (n instanceof Ref r && !rules.containsKey(r.name())) {
            throw new IllegalArgumentException("undefined rule '" + r.name() + "'");
        } else if (n instanceof Seq s) {
            s.items().forEach(this::checkRefs);
        } else if (n instanceof Alt a) {
            a.options().forEach(this::checkRefs);
        } else if (n instanceof Rep r) {
            checkRefs(r.node());
        }
    }

    /**
     * @param text a candidate answer
     * @return whether {@code root} derives exactly the text
     */
    boolean accepts(String text) {
        int[] cps = text.codePoints().toArray();
        return new Run(cps).ends(rules.get("root"), 0).get(cps.length);
    }

    /** One membership question: memoized end sets per rule and start. */
    private final class Run {
        private final int[] in;
        private final Map<String, BitSet[]> memo = new HashMap<>();
        private final Map<String, boolean[]> busy = new HashMap<>();

        Run(int[] in) {
            this.in = in;
        }

        BitSet ends(Node n, int pos) {
            BitSet out = new BitSet();
            if (n instanceof Lit l) {
                int[] c = l.cps();
                if (pos + c.length <= in.length) {
                    for (int i = 0; i < c.length; i++) {
                        if (in[pos + i] != c[i]) {
                            return out;
                        }
                    }
                    out.set(pos + c.length);
                }
            } else if (n instanceof Cls c) {
                if (pos < in.length && c.matches(in[pos])) {
                    out.set(pos + 1);
                }
            } else if (n instanceof Ref r) {
                BitSet[] m = memo.computeIfAbsent(r.name(), k -> new BitSet[in.length + 1]);
                if (m[pos] == null) {
                    boolean[] b = busy.computeIfAbsent(r.name(), k -> new boolean[in.length + 1]);
                    if (b[pos]) {
                        throw new IllegalStateException("left recursion through rule '" + r.name() + "'");
                    }
                    b[pos] = true;
                    m[pos] = ends(rules.get(r.name()), pos);
                    b[pos] = false;
                }
                out.or(m[pos]);
            } else if (n instanceof Seq s) {
                BitSet cur = new BitSet();
                cur.set(pos);
                for (Node item : s.items()) {
                    BitSet next = new BitSet();
                    for (int p = cur.nextSetBit(0); p >= 0; p = cur.nextSetBit(p + 1)) {
                        next.or(ends(item, p));
                    }
                    cur = next;
                    if (cur.isEmpty()) {
                        break;
                    }
                }
                out = cur;
            } else if (n instanceof Alt a) {
                for (Node o : a.options()) {
                    out.or(ends(o, pos));
                }
            } else if (n instanceof Rep r) {
                BitSet frontier = new BitSet();
                frontier.set(pos);
                BitSet seen = new BitSet();
                if (r.min() == 0) {
                    out.set(pos);
                }
                for (int k = 1; !frontier.isEmpty() && (r.unbounded() || k <= 1); k++) {
                    BitSet next = new BitSet();
                    for (int p = frontier.nextSetBit(0); p >= 0; p = frontier.nextSetBit(p + 1)) {
                        next.or(ends(r.node(), p));
                    }
                    next.andNot(seen); // positions reached before are explored already (min is 0 or 1)
                    seen.or(next);
                    if (k >= r.min()) {
                        out.or(next);
                    }
                    frontier = next;
                }
            }
            return out;
        }
    }

    private static final class Parser {
        private final String s;
        private final int line;
        private int i;

        Parser(String s, int line) {
            this.s = s;
            this.line = line;
        }

        boolean atEnd() {
            return i >= s.length();
        }

        String rest() {
            return s.substring(i);
        }

        void skipSpace() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
            if (i < s.length() && s.charAt(i) == '#') {
                i = s.length();
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("line " + line + " at " + i + ": " + what + " in: " + s);
        }

        Node alternatives() {
            List<Node> options = new ArrayList<>();
            options.add(sequence());
            skipSpace();
            while (i < s.length() && s.charAt(i) == '|') {
                i++;
                options.add(sequence());
                skipSpace();
            }
            return options.size() == 1 ? options.get(0) : new Alt(options);
        }

        Node sequence() {
            List<Node> items = new ArrayList<>();
            while (true) {
                skipSpace();
                if (atEnd() || s.charAt(i) == '|' || s.charAt(i) == ')') {
                    break;
                }
                Node item = primary();
                skipSpace();
                if (!atEnd() && "?*+".indexOf(s.charAt(i)) >= 0) {
                    char op = s.charAt(i++);
                    item = new Rep(item, op == '+' ? 1 : 0, op != '?');
                }
                items.add(item);
            }
            return items.size() == 1 ? items.get(0) : new Seq(items);
        }

        Node primary() {
            char c = s.charAt(i);
            if (c == '"') {
                i++;
                List<Integer> cps = new ArrayList<>();
                while (true) {
                    if (atEnd()) {
                        throw error("unterminated literal");
                    }
                    int cp = s.codePointAt(i);
                    if (cp == '"') {
                        i++;
                        break;
                    }
                    cps.add(character());
                }
                return new Lit(cps.stream().mapToInt(Integer::intValue).toArray());
            }
            if (c == '[') {
                i++;
                boolean negated = false;
                if (!atEnd() && s.charAt(i) == '^') {
                    negated = true;
                    i++;
                }
                List<int[]> ranges = new ArrayList<>();
                while (true) {
                    if (atEnd()) {
                        throw error("unterminated class");
                    }
                    if (s.charAt(i) == ']') {
                        i++;
                        break;
                    }
                    int lo = character();
                    int hi = lo;
                    if (i + 1 < s.length() && s.charAt(i) == '-' && s.charAt(i + 1) != ']') {
                        i++;
                        hi = character();
                    }
                    ranges.add(new int[] {lo, hi});
                }
                return new Cls(ranges, negated);
            }
            if (c == '(') {
                i++;
                Node inner = alternatives();
                skipSpace();
                if (atEnd() || s.charAt(i) != ')') {
                    throw error("missing ')'");
                }
                i++;
                return inner;
            }
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '-'
                    || s.charAt(i) == '_')) {
                i++;
            }
            if (start == i) {
                throw error("unexpected '" + c + "'");
            }
            return new Ref(s.substring(start, i));
        }

        /** One character of a literal or class, escapes decoded. */
        int character() {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp != '\\') {
                return cp;
            }
            if (atEnd()) {
                throw error("dangling backslash");
            }
            char e = s.charAt(i++);
            return switch (e) {
                case '"', '\\', '[', ']', '-', '^' -> e;
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'x' -> hex(2);
                case 'u' -> hex(4);
                case 'U' -> hex(8);
                default -> throw error("unknown escape '\\" + e + "'");
            };
        }

        private int hex(int digits) {
            if (i + digits > s.length()) {
                throw error("short hex escape");
            }
            int v = Integer.parseInt(s.substring(i, i + digits), 16);
            i += digits;
            return v;
        }
    }
}
