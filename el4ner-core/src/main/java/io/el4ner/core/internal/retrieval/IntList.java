package io.el4ner.core.internal.retrieval;

import java.util.Arrays;

/** A growable int array: the approximate scan's candidates and the similarities it still has to compute. */
final class IntList {
    private int[] a = new int[256];
    private int n;

    void add(int x) {
        if (n == a.length) {
            a = Arrays.copyOf(a, n * 2);
        }
        a[n++] = x;
    }

    int[] sortedUnique() {
        int[] s = Arrays.copyOf(a, n);
        Arrays.sort(s);
        int m = 0;
        for (int i = 0; i < s.length; i++) {
            if (m == 0 || s[m - 1] != s[i]) {
                s[m++] = s[i];
            }
        }
        return Arrays.copyOf(s, m);
    }
}
