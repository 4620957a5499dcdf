package io.el4ner.onnx.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The live states of a finite automaton given by its successors: those reachable from the start from which a
 * complete state can be reached. {@link JsonConstraint} uses it when a tokenizer cannot write every byte alone, over
 * the states reachable with whole tokens, so that no token leads to a dead end. A plain graph search, kept apart from
 * the constraint's token walks.
 */
final class LiveStates {
    private LiveStates() {
    }

    /**
     * @param start the first state
     * @param successors the states one step leads to from a state that is not complete
     * @param complete whether a state is complete (it is not expanded)
     * @param maxStates the most states to explore
     * @param tooMany the failure when there are more
     * @param <S> a state, with equals and hashCode
     * @return the states reachable from {@code start} that reach a complete state, complete ones included
     */
    static <S> Set<S> of(S start, Function<S, Set<S>> successors, Predicate<S> complete, int maxStates,
                         Supplier<? extends RuntimeException> tooMany) {
        Map<S, Integer> index = new HashMap<>();
        List<S> states = new ArrayList<>();
        List<List<Integer>> predecessors = new ArrayList<>();
        ArrayDeque<S> queue = new ArrayDeque<>();
        index.put(start, 0);
        states.add(start);
        predecessors.add(new ArrayList<>());
        queue.add(start);
        while (!queue.isEmpty()) {
            S s = queue.poll();
            if (complete.test(s)) {
                continue;
            }
            int from = index.get(s);
            for (S t : successors.apply(s)) {
                Integer to = index.get(t);
                if (to == null) {
                    if (states.size() >= maxStates) {
                        throw tooMany.get();
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
            if (complete.test(states.get(i))) {
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
        Set<S> out = new HashSet<>();
        for (int i = 0; i < states.size(); i++) {
            if (reached[i]) {
                out.add(states.get(i));
            }
        }
        return out;
    }
}
