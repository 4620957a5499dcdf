package io.el4ner.onnx.internal;

import java.util.Arrays;

/**
 * A trie of token byte strings in flat arrays: node 0 is the root, each node's children sorted by byte, each node
 * listing the tokens whose bytes end there (several when tokens write the same bytes, as a SentencePiece
 * {@code <0x41>} and {@code A} do). Built once per tokenizer by sorting the byte strings, so in time linear in their
 * total length after the sort.
 */
final class TokenTrie {
    /** Children of node n: edges {@code childStart[n]} (inclusive) to {@code childStart[n + 1]}. */
    private final int[] childStart;
    private final byte[] childByte;
    private final int[] childNode;
    /** Tokens ending at node n: {@code tokenIds[tokenStart[n] .. tokenStart[n + 1])}. */
    private final int[] tokenStart;
    private final int[] tokenIds;
    /** The root's children by byte, -1 where none: the root is asked about most often and has the most. */
    private final int[] rootChild = new int[256];
    private final int depth;

    private TokenTrie(int[] childStart, byte[] childByte, int[] childNode, int[] tokenStart, int[] tokenIds,
                      int depth) {
        this.childStart = childStart;
        this.childByte = childByte;
        this.childNode = childNode;
        this.tokenStart = tokenStart;
        this.tokenIds = tokenIds;
        this.depth = depth;
        Arrays.fill(rootChild, -1);
        for (int e = childStart[0]; e < childStart[1]; e++) {
            rootChild[childByte[e] & 0xFF] = childNode[e];
        }
    }

    /**
     * @param bytes each token's bytes by id; null or empty for tokens left out
     * @return the trie of the tokens that are in
     */
    static TokenTrie build(byte[][] bytes) {
        Integer[] order = new Integer[bytes.length];
        int n = 0;
        long total = 0;
        for (int id = 0; id < bytes.length; id++) {
            if (bytes[id] != null && bytes[id].length > 0) {
                order[n++] = id;
                total += bytes[id].length;
            }
        }
        Integer[] ids = Arrays.copyOf(order, n);
        Arrays.sort(ids, (a, b) -> {
            int c = Arrays.compareUnsigned(bytes[a], bytes[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, total + 1);
        int[] parent = new int[capacity];
        byte[] edge = new byte[capacity];
        int[] end = new int[n];
        int nodes = 1;
        int maxDepth = 0;
        int[] path = new int[16];
        byte[] previous = new byte[0];
        for (int k = 0; k < n; k++) {
            byte[] b = bytes[ids[k]];
            int common = Arrays.mismatch(previous, b);
            if (common < 0) {
                common = b.length; // the same bytes as the previous token
            }
            if (b.length + 1 > path.length) {
                path = Arrays.copyOf(path, Math.max(path.length * 2, b.length + 1));
            }
            for (int d = common; d < b.length; d++) {
                parent[nodes] = path[d];
                edge[nodes] = b[d];
                path[d + 1] = nodes++;
            }
            end[k] = path[b.length];
            maxDepth = Math.max(maxDepth, b.length);
            previous = b;
        }
        // Nodes were made in sorted order, so each node's children were made in byte order.
        int[] childStart = new int[nodes + 1];
        for (int v = 1; v < nodes; v++) {
            childStart[parent[v] + 1]++;
        }
        for (int v = 0; v < nodes; v++) {
            childStart[v + 1] += childStart[v];
        }
        byte[] childByte = new byte[nodes - 1];
        int[] childNode = new int[nodes - 1];
        int[] fill = Arrays.copyOf(childStart, nodes);
        for (int v = 1; v < nodes; v++) {
            int e = fill[parent[v]]++;
            childByte[e] = edge[v];
            childNode[e] = v;
        }
        int[] tokenStart = new int[nodes + 1];
        for (int k = 0; k < n; k++) {
            tokenStart[end[k] + 1]++;
        }
        for (int v = 0; v < nodes; v++) {
            tokenStart[v + 1] += tokenStart[v];
        }
        int[] tokenIds = new int[n];
        int[] at = Arrays.copyOf(tokenStart, nodes);
        for (int k = 0; k < n; k++) {
            tokenIds[at[end[k]]++] = ids[k];
        }
        return new TokenTrie(childStart, childByte, childNode, tokenStart, tokenIds, maxDepth);
    }

    /** @return the number of nodes, the root included */
    int nodes() {
        return childStart.length - 1;
    }

    /** @return the length of the longest token */
    int depth() {
        return depth;
    }

    /**
     * @param node a node
     * @param b a byte, 0..255
     * @return the child along {@code b}, or -1
     */
    int child(int node, int b) {
        if (node == 0) {
            return rootChild[b];
        }
        int lo = childStart[node];
        int hi = childStart[node + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int m = childByte[mid] & 0xFF;
            if (m < b) {
                lo = mid + 1;
            } else if (m > b) {
                hi = mid - 1;
            } else {
                return childNode[mid];
            }
        }
        return -1;
    }

    int childCount(int node) {
        return childStart[node + 1] - childStart[node];
    }

    /** @return the first edge of {@code node}; its edges are {@code [firstEdge(node), firstEdge(node + 1))} */
    int firstEdge(int node) {
        return childStart[node];
    }

    int edgeByte(int edge) {
        return childByte[edge] & 0xFF;
    }

    int edgeNode(int edge) {
        return childNode[edge];
    }

    int firstToken(int node) {
        return tokenStart[node];
    }

    int endToken(int node) {
        return tokenStart[node + 1];
    }

    int token(int index) {
        return tokenIds[index];
    }
}
