package io.el4ner.onnx.internal;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.AnswerContract.StringRule;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The answers an {@link AnswerContract} allows, as an automaton over the bytes of the answer, and the token mask it
 * gives: which tokens may come next so that the answer stays a prefix of an allowed one.
 *
 * <p><b>The language.</b> Exactly the contract's JSON: objects with their fields in the shape's order, arrays of
 * any length, {@code true}/{@code false}, {@link StringRule#ONE_OF} strings spelled as one canonical JSON string each
 * (type names that need escaping included), {@link StringRule#SUBSTRING_OF_SENTENCE} strings read by a
 * {@link SubstringMatcher} over the sentence as a JSON string writes it. Whitespace (space, tab, line feed, carriage
 * return) is allowed where JSON allows it between tokens, at most {@value #MAX_WHITESPACE} characters in a row, so
 * that indented answers fit and a model cannot loop on blanks; none after the closing brace. The shapes never nest
 * recursively, so the structure is a finite graph of nodes, compiled once per request; inside a substring the state
 * is the matcher's position set. Nodes from which no complete answer can be reached are removed when compiling, so
 * every allowed byte keeps a complete answer within reach.
 *
 * <p><b>The mask.</b> {@link ConstraintState#allowed(BitSet)} walks the tokenizer's {@link TokenTrie} from the
 * current state, stepping the automaton byte by byte and pruning a subtree at the first byte it refuses: the cost is
 * the number of trie nodes whose bytes are still allowed (times the occurrences still alive, inside a substring), not
 * the size of the vocabulary. Masks of states that do not depend on a position set (every state outside a string
 * that must be a substring, and the start of such a string) are kept for the request, so the structure of an answer
 * costs one walk per state. Once the answer is complete, only the end tokens are allowed. When the tokenizer writes
 * every byte with a token of its own (byte-level BPE, SentencePiece with byte fallback), every state that has a
 * complete answer within reach at the byte level has one at the token level too, so no walk can get stuck. Otherwise
 * (a SentencePiece vocabulary without byte fallback) the states reachable with whole tokens are explored once, when
 * the constraint starts, and a token is allowed only if a complete answer can still be written with tokens after it.
 *
 * <p>Not thread-safe: one constraint serves one request. The {@link TokenBytes} it reads are shared.
 */
public final class JsonConstraint {
    /** The most whitespace characters allowed in a row. */
    public static final int MAX_WHITESPACE = 8;
    /** The most states explored when the tokenizer cannot write every byte alone. */
    static final int MAX_EXPLORED_STATES = 200_000;
    /** The most token ids kept in the cache of masks, per request. */
    static final int MAX_CACHED_IDS = 1 << 20;
    private static final int NODE_MASK = ContractGraph.NODE_MASK;
    /** Inside a substring: set once a byte has been read (the string may not close before). */
    private static final long STARTED = 1L << 32;
    private static final int ACCEPT = ContractGraph.ACCEPT;
    private static final int[] WHITESPACE = {' ', '\t', '\n', '\r'};

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
    /**
     * Per node: the shortest run of {@code ]} and {@code }} that completes the answer from it (every value begun is
     * then whole), or null when the answer cannot be closed there without writing a value.
     */
    private final byte[][] closers;
    private final int start;
    /** Which full states can still reach a complete answer with whole tokens; null when every byte can be written. */
    private final Set<StateKey> live;
    /** Masks of states without a position set, by state. */
    private final Map<Long, int[]> cache = new HashMap<>();
    private int cachedIds;
    /** Scratch per trie depth: position sets and follower masks; grown as needed. */
    private int[][] sets;
    private final long[][] followers;
    private final IdList collected = new IdList();

    private JsonConstraint(AnswerContract contract, TokenBytes tokens) {
        this.contract = contract;
        this.tokens = tokens;
        this.trie = tokens.trie();
        this.matcher = new SubstringMatcher(contract.sentence());
        ContractGraph graph = ContractGraph.compile(contract, matcher);
        this.nodeBytes = graph.nodeBytes;
        this.nodeTargets = graph.nodeTargets;
        this.whitespace = graph.whitespace;
        this.exit = graph.exit;
        this.start = graph.start;
        this.closers = graph.closers;
        this.sets = new int[trie.depth() + 2][];
        this.followers = new long[trie.depth() + 2][];
        this.live = tokens.coversEveryByte() ? null : explore();
        if (live != null && !live.contains(new StateKey(start, null, 0))) {
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

    /**
     * @param state a state outside a string
     * @return the bytes that close the answer from it with nothing but closing brackets, or null if there are none
     */
    byte[] closer(long state) {
        int node = node(state);
        return exit[node] >= 0 ? null : closers[node];
    }

    TokenBytes tokens() {
        return tokens;
    }

    /** @return the masks cached so far */
    int cachedMasks() {
        return cache.size();
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

    private static long withBlanks(int node, int blanks) {
        return (long) blanks << 24 | node;
    }

    // --- stepping one answer (ConstraintState) ---------------------------------------------------------------------

    /** A state with its position set, for one answer; the set's buffers are its own. */
    final class Cursor {
        long state;
        int[] set;
        int len;
        private int[] spare;

        Cursor() {
            state = start;
        }

        Cursor copy() {
            Cursor c = new Cursor();
            c.state = state;
            c.len = len;
            c.set = set == null || set == matcher.initial() ? set : Arrays.copyOf(set, len);
            return c;
        }

        /**
         * Reads a byte.
         *
         * @return false if the byte is not allowed (the cursor is then unusable)
         */
        boolean step(int b) {
            int node = node(state);
            if (exit[node] >= 0) {
                boolean started = (state & STARTED) != 0;
                if (b == '"' && started && matcher.closable(set, len)) {
                    enter(exit[node]);
                    return true;
                }
                if (spare == null || spare == set || spare.length < len) {
                    spare = new int[Math.max(len, 16)];
                }
                int n = matcher.advance(set, len, b, spare);
                if (n == 0) {
                    return false;
                }
                int[] old = set;
                set = spare;
                spare = old == matcher.initial() ? null : old;
                len = n;
                state = node | STARTED;
                return true;
            }
            if (whitespace[node] && isBlank(b)) {
                int blanks = blanks(state);
                if (blanks >= MAX_WHITESPACE) {
                    return false;
                }
                state = withBlanks(node, blanks + 1);
                return true;
            }
            int target = target(node, b);
            if (target < 0) {
                return false;
            }
            enter(target);
            return true;
        }

        boolean step(byte[] bytes) {
            for (byte x : bytes) {
                if (!step(x & 0xFF)) {
                    return false;
                }
            }
            return true;
        }

        private void enter(int node) {
            state = node;
            if (exit[node] >= 0) {
                set = matcher.initial();
                len = set.length;
            } else {
                set = null;
                len = 0;
            }
        }

        boolean isLive() {
            return live == null || live.contains(new StateKey(state, set, len));
        }
    }

    Cursor cursor() {
        return new Cursor();
    }

    private static boolean isBlank(int b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private int target(int node, int b) {
        int[] bytes = nodeBytes[node];
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return nodeTargets[node][i];
            }
        }
        return -1;
    }

    // --- the mask ----------------------------------------------------------------------------------------------------

    /** Sets in {@code out} the tokens allowed after a cursor whose answer is not complete. */
    void mask(Cursor at, BitSet out) {
        boolean cacheable = at.set == null || at.set == matcher.initial();
        if (cacheable) {
            int[] ids = cache.get(at.state);
            if (ids != null) {
                for (int id : ids) {
                    out.set(id);
                }
                return;
            }
        }
        collected.clear();
        walk(0, at.state, at.set, at.len, 0, null);
        int[] ids = collected.toArray();
        for (int id : ids) {
            out.set(id);
        }
        if (cacheable && cachedIds + ids.length <= MAX_CACHED_IDS) {
            cache.put(at.state, ids);
            cachedIds += ids.length;
        }
    }

    /**
     * Walks the trie below {@code trieNode}, whose bytes have brought the automaton to {@code state} (with the
     * position set {@code set[0..len)} inside a substring): allows the tokens ending there (or, exploring, collects
     * their state) and descends along every byte the automaton allows.
     */
    private void walk(int trieNode, long state, int[] set, int len, int depth, Set<StateKey> ends) {
        if (trie.firstToken(trieNode) < trie.endToken(trieNode)) {
            if (ends != null) {
                ends.add(new StateKey(state, set, len));
            } else if (live == null || live.contains(new StateKey(state, set, len))) {
                for (int k = trie.firstToken(trieNode); k < trie.endToken(trieNode); k++) {
                    collected.add(trie.token(k));
                }
            }
        }
        int children = trie.childCount(trieNode);
        if (children == 0) {
            return;
        }
        int node = node(state);
        if (exit[node] >= 0) {
            walkSubstring(trieNode, state, set, len, depth, ends);
            return;
        }
        int[] bytes = nodeBytes[node];
        boolean blanks = whitespace[node] && blanks(state) < MAX_WHITESPACE;
        if (children <= bytes.length + (blanks ? 4 : 0)) {
            for (int e = trie.firstEdge(trieNode), last = trie.firstEdge(trieNode + 1); e < last; e++) {
                int b = trie.edgeByte(e);
                if (blanks && isBlank(b)) {
                    walk(trie.edgeNode(e), withBlanks(node, blanks(state) + 1), null, 0, depth + 1, ends);
                } else {
                    int target = target(node, b);
                    if (target >= 0) {
                        descend(trie.edgeNode(e), target, depth, ends);
                    }
                }
            }
            return;
        }
        for (int i = 0; i < bytes.length; i++) {
            int child = trie.child(trieNode, bytes[i]);
            if (child >= 0) {
                descend(child, nodeTargets[node][i], depth, ends);
            }
        }
        if (blanks) {
            long next = withBlanks(node, blanks(state) + 1);
            for (int b : WHITESPACE) {
                int child = trie.child(trieNode, b);
                if (child >= 0) {
                    walk(child, next, null, 0, depth + 1, ends);
                }
            }
        }
    }

    /** Goes on into a node (a substring node starts with every allowed start). */
    private void descend(int trieChild, int node, int depth, Set<StateKey> ends) {
        if (exit[node] >= 0) {
            int[] initial = matcher.initial();
            walk(trieChild, node, initial, initial.length, depth + 1, ends);
        } else {
            walk(trieChild, node, null, 0, depth + 1, ends);
        }
    }

    private void walkSubstring(int trieNode, long state, int[] set, int len, int depth, Set<StateKey> ends) {
        int node = node(state);
        if ((state & STARTED) != 0 && matcher.closable(set, len)) {
            int child = trie.child(trieNode, '"');
            if (child >= 0) {
                descend(child, exit[node], depth, ends);
            }
        }
        long[] follow = followers[depth];
        if (follow == null) {
            follow = new long[4];
            followers[depth] = follow;
        }
        matcher.followers(set, len, follow);
        int[] next = sets[depth + 1];
        if (next == null || next.length < len) {
            next = new int[Math.max(len, 16)];
            sets[depth + 1] = next;
        }
        long started = node | STARTED;
        int children = trie.childCount(trieNode);
        int possible = Long.bitCount(follow[0]) + Long.bitCount(follow[1]) + Long.bitCount(follow[2])
                + Long.bitCount(follow[3]);
        if (children <= possible) {
            for (int e = trie.firstEdge(trieNode), last = trie.firstEdge(trieNode + 1); e < last; e++) {
                int b = trie.edgeByte(e);
                if ((follow[b >>> 6] & 1L << b) != 0) {
                    int n = matcher.advance(set, len, b, next);
                    walk(trie.edgeNode(e), started, next, n, depth + 1, ends);
                }
            }
            return;
        }
        for (int w = 0; w < 4; w++) {
            for (long bits = follow[w]; bits != 0; bits &= bits - 1) {
                int b = w << 6 | Long.numberOfTrailingZeros(bits);
                int child = trie.child(trieNode, b);
                if (child >= 0) {
                    int n = matcher.advance(set, len, b, next);
                    walk(child, started, next, n, depth + 1, ends);
                }
            }
        }
    }

    /**
     * For a tokenizer that cannot write every byte alone: every state reachable from the start with whole tokens
     * from which a complete answer can be written with whole tokens.
     */
    private Set<StateKey> explore() {
        return LiveStates.of(new StateKey(start, null, 0), s -> {
            Set<StateKey> ends = new HashSet<>();
            int[] set = s.set == null && exit[node(s.state)] >= 0 ? matcher.initial() : s.set;
            walk(0, s.state, set, set == null ? 0 : set.length, 0, ends);
            return ends;
        }, s -> isComplete(s.state), MAX_EXPLORED_STATES, () -> new NoValidAnswerException("this tokenizer cannot "
                + "write every byte alone, and the answers of " + contract.name() + " have more than "
                + MAX_EXPLORED_STATES + " states to check for dead ends; use the model with constrained=false"));
    }

    /**
     * A full state, comparable: the node and counters, and inside a substring the position set (null for the start
     * of a substring, whose set is every allowed start, and outside substrings).
     */
    private final class StateKey {
        final long state;
        final int[] set;
        private final int hash;

        StateKey(long state, int[] set, int len) {
            this.state = state;
            this.set = set == null || set == matcher.initial() || (state & STARTED) == 0 ? null
                    : Arrays.copyOf(set, len);
            this.hash = Long.hashCode(state) * 31 + Arrays.hashCode(this.set);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StateKey k && k.state == state && Arrays.equals(k.set, set);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A growable list of ints. */
    private static final class IdList {
        private int[] ids = new int[256];
        private int size;

        void add(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        void clear() {
            size = 0;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}
