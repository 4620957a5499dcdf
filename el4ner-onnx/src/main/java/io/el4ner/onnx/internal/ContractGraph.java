package io.el4ner.onnx.internal;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.AnswerContract.ArrayShape;
import io.el4ner.api.AnswerContract.Field;
import io.el4ner.api.AnswerContract.ObjectShape;
import io.el4ner.api.AnswerContract.Shape;
import io.el4ner.api.AnswerContract.StringRule;
import io.el4ner.api.AnswerContract.StringShape;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answers an {@link AnswerContract} allows, compiled into a finite automaton over the answer's bytes for
 * {@link JsonConstraint}: objects, arrays, booleans and strings as nodes and byte edges, a substring of the sentence as
 * one node that a {@link SubstringMatcher} reads until its closing quote. Nodes from which no complete answer can be
 * reached are pruned, and for each node the shortest run of closing brackets that completes the answer from it is
 * kept (to close an answer cut by a limit). Compiling is kept apart from walking the automaton against the token trie.
 */
final class ContractGraph {
    /** The node of a complete answer. */
    static final int ACCEPT = 0;
    /** The most nodes: a state keeps its node in 24 bits. */
    static final int NODE_MASK = (1 << 24) - 1;

    /** Per node: the bytes it may read (sorted) and the nodes they lead to; whitespace is not listed. */
    final int[][] nodeBytes;
    final int[][] nodeTargets;
    /** Per node: whether whitespace may come before its next byte. */
    final boolean[] whitespace;
    /** Per node: for a substring node, the node after its closing quote; -1 for the others. */
    final int[] exit;
    /**
     * Per node: the shortest run of {@code ]} and {@code }} that completes the answer from it (every value begun is
     * then whole), or null when the answer cannot be closed there without writing a value.
     */
    final byte[][] closers;
    /** The node before the answer's first byte. */
    final int start;

    private ContractGraph(int[][] nodeBytes, int[][] nodeTargets, boolean[] whitespace, int[] exit, int start) {
        this.nodeBytes = nodeBytes;
        this.nodeTargets = nodeTargets;
        this.whitespace = whitespace;
        this.exit = exit;
        this.start = start;
        this.closers = closers(nodeBytes, nodeTargets, exit);
    }

    /**
     * Compiles a contract.
     *
     * @param contract what the answer must be
     * @param matcher the substrings of the contract's sentence
     * @return the pruned automaton
     * @throws NoValidAnswerException if the contract allows no answer at all (a required string has no allowed value)
     */
    static ContractGraph compile(AnswerContract contract, SubstringMatcher matcher) {
        Builder b = new Builder(matcher);
        int accept = b.node(false);
        assert accept == ACCEPT;
        int root = b.node(true);
        b.edges(root, b.entries(contract.shape(), ACCEPT));
        int n = b.size();
        boolean[] reaches = b.reachesAccept();
        if (!reaches[root]) {
            throw new NoValidAnswerException("the answer contract " + contract.name() + " allows no answer at all for "
                    + "this request (a required string has no allowed value)");
        }
        int[][] nodeBytes = new int[n][];
        int[][] nodeTargets = new int[n][];
        boolean[] whitespace = new boolean[n];
        int[] exit = new int[n];
        for (int v = 0; v < n; v++) {
            TreeMap<Integer, Integer> t = b.transitions.get(v);
            t.values().removeIf(target -> !reaches[target]);
            nodeBytes[v] = t.keySet().stream().mapToInt(Integer::intValue).toArray();
            nodeTargets[v] = t.values().stream().mapToInt(Integer::intValue).toArray();
            whitespace[v] = b.whitespace.get(v);
            exit[v] = b.exits.get(v);
        }
        return new ContractGraph(nodeBytes, nodeTargets, whitespace, exit, root);
    }

    private static byte[][] closers(int[][] nodeBytes, int[][] nodeTargets, int[] exit) {
        int n = nodeBytes.length;
        byte[][] out = new byte[n][];
        out[ACCEPT] = new byte[0];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int v = 0; v < n; v++) {
                if (exit[v] >= 0) {
                    continue;
                }
                for (int i = 0; i < nodeBytes[v].length; i++) {
                    int b = nodeBytes[v][i];
                    byte[] rest = out[nodeTargets[v][i]];
                    if ((b == ']' || b == '}') && rest != null && (out[v] == null || out[v].length > rest.length + 1)) {
                        byte[] c = new byte[rest.length + 1];
                        c[0] = (byte) b;
                        System.arraycopy(rest, 0, c, 1, rest.length);
                        out[v] = c;
                        changed = true;
                    }
                }
            }
        }
        return out;
    }

    /** Compiles shapes into nodes. */
    private static final class Builder {
        final List<TreeMap<Integer, Integer>> transitions = new ArrayList<>();
        final List<Boolean> whitespace = new ArrayList<>();
        final List<Integer> exits = new ArrayList<>();
        private final SubstringMatcher matcher;

        Builder(SubstringMatcher matcher) {
            this.matcher = matcher;
        }

        int size() {
            return transitions.size();
        }

        int node(boolean blanks) {
            transitions.add(new TreeMap<>());
            whitespace.add(blanks);
            exits.add(-1);
            if (transitions.size() > NODE_MASK) {
                throw new IllegalArgumentException("the answer contract is too large to constrain");
            }
            return transitions.size() - 1;
        }

        void edge(int from, int b, int to) {
            Integer old = transitions.get(from).put(b, to);
            if (old != null && old != to) {
                throw new IllegalStateException("two ways to read byte " + b + " at node " + from);
            }
        }

        void edges(int from, Map<Integer, Integer> entries) {
            entries.forEach((b, to) -> edge(from, b, to));
        }

        /** A chain reading {@code bytes} then going to {@code cont}; returns its first byte and node. */
        Map<Integer, Integer> literal(byte[] bytes, int cont) {
            int after = cont;
            for (int i = bytes.length - 1; i >= 1; i--) {
                int v = node(false);
                edge(v, bytes[i] & 0xFF, after);
                after = v;
            }
            return Map.of(bytes[0] & 0xFF, after);
        }

        /**
         * Compiles a value of {@code shape} followed by {@code cont}.
         *
         * @return the value's first bytes and the nodes they lead to (to be added to the node before the value)
         */
        Map<Integer, Integer> entries(Shape shape, int cont) {
            if (shape instanceof ObjectShape o) {
                int open = node(true);
                int keyAt = open;
                List<Field> fields = o.fields();
                for (int i = 0; i < fields.size(); i++) {
                    int afterKey = node(true);
                    edges(keyAt, literal(quoted(fields.get(i).name()), afterKey));
                    int afterColon = node(true);
                    edge(afterKey, ':', afterColon);
                    int afterValue = node(true);
                    edges(afterColon, entries(fields.get(i).value(), afterValue));
                    if (i + 1 < fields.size()) {
                        keyAt = node(true);
                        edge(afterValue, ',', keyAt);
                    } else {
                        edge(afterValue, '}', cont);
                    }
                }
                return Map.of((int) '{', open);
            }
            if (shape instanceof ArrayShape a) {
                int open = node(true);
                int afterItem = node(true);
                int afterComma = node(true);
                Map<Integer, Integer> item = entries(a.items(), afterItem);
                edge(open, ']', cont);
                edges(open, item);
                edge(afterItem, ',', afterComma);
                edge(afterItem, ']', cont);
                edges(afterComma, item);
                return Map.of((int) '[', open);
            }
            if (shape instanceof StringShape s) {
                if (s.rule() == StringRule.SUBSTRING_OF_SENTENCE) {
                    if (!matcher.hasStart()) {
                        return Map.of();
                    }
                    int inside = node(false);
                    exits.set(inside, cont);
                    return Map.of((int) '"', inside);
                }
                if (s.values().isEmpty()) {
                    return Map.of();
                }
                int inside = node(false);
                for (String v : s.values()) {
                    int at = inside;
                    for (byte x : escaped(v)) {
                        Integer next = transitions.get(at).get(x & 0xFF);
                        if (next == null) {
                            next = node(false);
                            edge(at, x & 0xFF, next);
                        }
                        at = next;
                    }
                    edge(at, '"', cont);
                }
                return Map.of((int) '"', inside);
            }
            Map<Integer, Integer> out = new HashMap<>(literal("true".getBytes(StandardCharsets.US_ASCII), cont));
            out.putAll(literal("false".getBytes(StandardCharsets.US_ASCII), cont));
            return out;
        }

        /** Which nodes a complete answer can be reached from. */
        boolean[] reachesAccept() {
            int n = size();
            List<List<Integer>> into = new ArrayList<>();
            for (int v = 0; v < n; v++) {
                into.add(new ArrayList<>());
            }
            for (int v = 0; v < n; v++) {
                for (int to : transitions.get(v).values()) {
                    into.get(to).add(v);
                }
                if (exits.get(v) >= 0) {
                    into.get(exits.get(v)).add(v);
                }
            }
            boolean[] reaches = new boolean[n];
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            reaches[ACCEPT] = true;
            queue.add(ACCEPT);
            while (!queue.isEmpty()) {
                for (int p : into.get(queue.poll())) {
                    if (!reaches[p]) {
                        reaches[p] = true;
                        queue.add(p);
                    }
                }
            }
            return reaches;
        }

        private static byte[] escaped(String s) {
            SubstringMatcher.ByteSink out = new SubstringMatcher.ByteSink(s.length() + 8);
            for (int i = 0; i < s.length(); ) {
                int cp = s.codePointAt(i);
                SubstringMatcher.escape(cp, out);
                i += Character.charCount(cp);
            }
            return out.toArray();
        }

        private static byte[] quoted(String s) {
            byte[] inner = escaped(s);
            byte[] out = new byte[inner.length + 2];
            out[0] = '"';
            System.arraycopy(inner, 0, out, 1, inner.length);
            out[out.length - 1] = '"';
            return out;
        }
    }
}
