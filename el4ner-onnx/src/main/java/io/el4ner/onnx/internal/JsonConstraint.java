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
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The answers an {@link AnswerContract} allows, as an automaton over the bytes of the answer, and the token mask it
 * gives: which tokens may come next so that the answer stays a prefix of an allowed one.
 *
 * <p><b>The language.</b> Exactly the contract's JSON: objects with their fields in the shape's order, arrays of
 * any length, {@code true}/{@code false}, {@link StringRule#ONE_OF} strings spelled as one canonical JSON string each
 * (type names that need escaping included), {@link StringRule#SUBSTRING_OF_SENTENCE} strings matched by a
 * {@link SubstringMatcher} over the sentence as a JSON string writes it. Whitespace (space, tab, line feed, carriage
 * return) is allowed where JSON allows it between tokens, at most {@value #MAX_WHITESPACE} characters in a row, so
 * that indented answers fit and a model cannot loop on blanks; none after the closing brace. The shapes never nest
 * recursively, so the structure is a finite graph of nodes, compiled once per request; only substring states are made
 * as they are reached. Nodes from which no complete answer can be reached are removed when compiling, so every
 * allowed byte keeps a complete answer reachable.
 *
 * <p><b>The mask.</b> {@link ConstraintState#allowed(BitSet)} walks the tokenizer's {@link TokenTrie} from the
 * current state, stepping the automaton byte by byte and pruning a subtree at the first byte it refuses: the cost is
 * the number of trie nodes whose bytes are still allowed, not the size of the vocabulary. Once the answer is
 * complete, only the end tokens are allowed. When the tokenizer writes every byte with a token of its own (byte-level
 * BPE, SentencePiece with byte fallback), every state that has a complete answer within reach at the byte level has
 * one at the token level too, so no walk can get stuck. Otherwise (a SentencePiece vocabulary without byte fallback)
 * the states reachable with whole tokens are explored once, when the constraint starts, and a token is allowed only if
 * a complete answer can still be written with tokens after it.
 *
 * <p>Not thread-safe: one constraint serves one request. The {@link TokenBytes} it reads are shared.
 */
public final class JsonConstraint {
    /** The most whitespace characters allowed in a row. */
    public static final int MAX_WHITESPACE = 8;
    /** The most states explored when the tokenizer cannot write every byte alone. */
    static final int MAX_EXPLORED_STATES = 200_000;
    static final long DEAD = -1L;
    private static final int NODE_MASK = (1 << 24) - 1;
    private static final int[] WHITESPACE = {' ', '\t', '\n', '\r'};
    private static final int ACCEPT = 0;

    private final AnswerContract contract;
    private final TokenBytes tokens;
    private final TokenTrie trie;
    private final SubstringMatcher matcher;
    /** Per node: the bytes it may read (sorted) and the nodes they lead to; whitespace is not listed. */
    private final int[][] nodeBytes;
    private final int[][] nodeTargets;
    private final boolean[] whitespace;
    /** Per node: for a substring node, the node after its closing quote; -1 for the others. */
    private final int[] exit;
    private final long start;
    /** Whether a complete answer can be written with whole tokens from a state; null when every byte can be. */
    private final Map<Long, Boolean> live;
    private int[][] buffers;

    private JsonConstraint(AnswerContract contract, TokenBytes tokens) {
        this.contract = contract;
        this.tokens = tokens;
        this.trie = tokens.trie();
        this.matcher = new SubstringMatcher(contract.sentence());
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
        this.nodeBytes = new int[n][];
        this.nodeTargets = new int[n][];
        this.whitespace = new boolean[n];
        this.exit = new int[n];
        for (int v = 0; v < n; v++) {
            TreeMap<Integer, Integer> t = b.transitions.get(v);
            t.values().removeIf(target -> !reaches[target]);
            nodeBytes[v] = t.keySet().stream().mapToInt(Integer::intValue).toArray();
            nodeTargets[v] = t.values().stream().mapToInt(Integer::intValue).toArray();
            whitespace[v] = b.whitespace.get(v);
            exit[v] = b.exits.get(v);
        }
        this.start = root;
        this.buffers = new int[trie.depth() + 2][];
        this.live = tokens.coversEveryByte() ? null : explore();
        if (live != null && !live.getOrDefault(start, false)) {
            throw new NoValidAnswerException("no answer that the contract " + contract.name() + " allows can be "
                    + "written with this tokenizer's tokens: it cannot write every byte alone, and some that every "
                    + "answer needs are missing");
        }
    }

    /**
     * Starts constraining an answer.
     *
     * @param contract what the answer must be
     * @param tokens the tokenizer's token bytes
     * @return the state before the first token
     * @throws NoValidAnswerException if no answer the contract allows can be written with the tokens
     */
    public static ConstraintState start(AnswerContract contract, TokenBytes tokens) {
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(tokens, "tokens");
        return new ConstraintState(new JsonConstraint(contract, tokens));
    }

    AnswerContract contract() {
        return contract;
    }

    TokenBytes tokens() {
        return tokens;
    }

    long startState() {
        return start;
    }

    /** @return the substring states made so far */
    int substringStates() {
        return matcher.states();
    }

    static boolean isComplete(long state) {
        return node(state) == ACCEPT;
    }

    private static int node(long state) {
        return (int) (state & NODE_MASK);
    }

    private static int blanks(long state) {
        return (int) (state >>> 24) & 0xFF;
    }

    private static int sub(long state) {
        return (int) (state >>> 32);
    }

    private static long state(int node, int blanks, int sub) {
        return (long) sub << 32 | (long) blanks << 24 | node;
    }

    /**
     * @param state a state
     * @param b a byte, 0..255
     * @return the state after it, or {@link #DEAD}
     */
    long step(long state, int b) {
        int node = node(state);
        if (exit[node] >= 0) {
            int sub = sub(state);
            if (b == '"' && matcher.closable(sub)) {
                return exit[node];
            }
            int next = matcher.next(sub, b);
            return next < 0 ? DEAD : state(node, 0, next);
        }
        if (whitespace[node] && (b == ' ' || b == '\t' || b == '\n' || b == '\r')) {
            int blanks = blanks(state);
            return blanks < MAX_WHITESPACE ? state(node, blanks + 1, 0) : DEAD;
        }
        int[] bytes = nodeBytes[node];
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return nodeTargets[node][i];
            }
        }
        return DEAD;
    }

    /**
     * @param state a state
     * @param bytes the bytes of a token
     * @return the state after them all, or {@link #DEAD}
     */
    long step(long state, byte[] bytes) {
        long s = state;
        for (int i = 0; i < bytes.length && s != DEAD; i++) {
            s = step(s, bytes[i] & 0xFF);
        }
        return s;
    }

    /** Whether a complete answer can be written with whole tokens from a state reached with whole tokens. */
    boolean isLive(long state) {
        return live == null ? state != DEAD : live.getOrDefault(state, false);
    }

    /** The bytes that may follow a state, into {@code out}; returns how many. */
    private int followers(long state, int[] out) {
        int node = node(state);
        if (exit[node] >= 0) {
            int sub = sub(state);
            int n = matcher.followers(sub, out, 0);
            if (matcher.closable(sub)) {
                out[n++] = '"';
            }
            return n;
        }
        int[] bytes = nodeBytes[node];
        System.arraycopy(bytes, 0, out, 0, bytes.length);
        int n = bytes.length;
        if (whitespace[node] && blanks(state) < MAX_WHITESPACE) {
            for (int w : WHITESPACE) {
                out[n++] = w;
            }
        }
        return n;
    }

    /** Sets in {@code out} the tokens allowed after a state that is not complete. */
    void mask(long state, BitSet out) {
        walk(0, state, 0, out, null);
    }

    /**
     * Walks the trie below {@code trieNode}, whose bytes have brought the automaton to {@code state}: allows the
     * tokens ending there (or collects their state) and descends along every byte the automaton allows.
     */
    private void walk(int trieNode, long state, int depth, BitSet out, Set<Long> ends) {
        if (trie.firstToken(trieNode) < trie.endToken(trieNode)) {
            if (ends != null) {
                ends.add(state);
            } else if (isLive(state)) {
                for (int k = trie.firstToken(trieNode); k < trie.endToken(trieNode); k++) {
                    out.set(trie.token(k));
                }
            }
        }
        int children = trie.childCount(trieNode);
        if (children == 0) {
            return;
        }
        int[] buffer = buffers[depth];
        if (buffer == null) {
            buffer = new int[257 + WHITESPACE.length];
            buffers[depth] = buffer;
        }
        int n = followers(state, buffer);
        if (children <= n) {
            for (int e = trie.firstEdge(trieNode), last = trie.firstEdge(trieNode + 1); e < last; e++) {
                long next = step(state, trie.edgeByte(e));
                if (next != DEAD) {
                    walk(trie.edgeNode(e), next, depth + 1, out, ends);
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                int child = trie.child(trieNode, buffer[i]);
                if (child >= 0) {
                    walk(child, step(state, buffer[i]), depth + 1, out, ends);
                }
            }
        }
    }

    /**
     * For a tokenizer that cannot write every byte alone: every state reachable from the start with whole tokens,
     * and whether a complete answer is reachable from it with whole tokens.
     */
    private Map<Long, Boolean> explore() {
        Map<Long, Integer> index = new HashMap<>();
        List<Long> states = new ArrayList<>();
        List<List<Integer>> predecessors = new ArrayList<>();
        ArrayDeque<Long> queue = new ArrayDeque<>();
        index.put(start, 0);
        states.add(start);
        predecessors.add(new ArrayList<>());
        queue.add(start);
        while (!queue.isEmpty()) {
            long s = queue.poll();
            if (isComplete(s)) {
                continue;
            }
            int from = index.get(s);
            Set<Long> ends = new HashSet<>();
            walk(0, s, 0, null, ends);
            for (long t : ends) {
                Integer to = index.get(t);
                if (to == null) {
                    if (states.size() >= MAX_EXPLORED_STATES) {
                        throw new NoValidAnswerException("this tokenizer cannot write every byte alone, and the "
                                + "answers of " + contract.name() + " have more than " + MAX_EXPLORED_STATES
                                + " states to check for dead ends; use the model with constrained=false");
                    }
                    to = states.size();
                    index.put(t, to);
                    states.add(t);
                    predecessors.add(new ArrayList<>());
                    queue.add(t);
                }
                predecessors.get(to).add(from);
            }
        }
        boolean[] reached = new boolean[states.size()];
        ArrayDeque<Integer> back = new ArrayDeque<>();
        for (int i = 0; i < states.size(); i++) {
            if (isComplete(states.get(i))) {
                reached[i] = true;
                back.add(i);
            }
        }
        while (!back.isEmpty()) {
            for (int p : predecessors.get(back.poll())) {
                if (!reached[p]) {
                    reached[p] = true;
                    back.add(p);
                }
            }
        }
        Map<Long, Boolean> out = new HashMap<>();
        for (int i = 0; i < states.size(); i++) {
            out.put(states.get(i), reached[i]);
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
