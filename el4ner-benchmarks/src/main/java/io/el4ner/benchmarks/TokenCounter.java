package io.el4ner.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The decoder benchmarks' secondary result: the tokens a benchmark call handles (generated, or prefilled), which JMH
 * reports per second beside the calls as {@code tokens}. A benchmark method takes it as a parameter and adds to it.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class TokenCounter {
    /** Tokens in the iteration. */
    public long tokens;

    /** Resets the count. */
    @Setup(Level.Iteration)
    public void reset() {
        tokens = 0;
    }
}
