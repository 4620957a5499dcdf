package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LiveStatesTest {
    /** 0 -> 1 -> 2 (complete), 0 -> 3 -> 4 (a dead end), 1 -> 1 (a loop that can still finish). */
    private static final Map<Integer, Set<Integer>> GRAPH = Map.of(0, Set.of(1, 3), 1, Set.of(1, 2), 2, Set.of(),
            3, Set.of(4), 4, Set.of());

    @Test
    void of_deadEnds_areLeftOut() {
        assertThat(LiveStates.of(0, GRAPH::get, s -> s == 2, 100, IllegalStateException::new))
                .containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void of_noCompleteStateReachable_isEmpty() {
        assertThat(LiveStates.of(3, GRAPH::get, s -> s == 2, 100, IllegalStateException::new)).isEmpty();
    }

    @Test
    void of_moreStatesThanAllowed_throwsTheGivenFailure() {
        assertThatThrownBy(() -> LiveStates.of(0, GRAPH::get, s -> s == 2, 2,
                () -> new IllegalStateException("too many"))).hasMessage("too many");
    }
}
