package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link IvfIndex} as built by {@link SegmentedVectors#withIvf(int, long, Parallel)}. */
class IvfIndexTest {
    @RegisterExtension
    static final TestParallels PARALLELS = new TestParallels();
    private static final Parallel ONE = PARALLELS.one();
    private static final Parallel FOUR = PARALLELS.four();

    @Test
    void withIvf_anyThreads_isDeterministic() {
        SegmentedVectors set = TestPools.random(8, 3000, 2000, 32, 3, 20);
        SegmentedVectors a = set.withIvf(50, 4, ONE);
        SegmentedVectors b = set.withIvf(50, 4, FOUR);
        assertThat(b.ids()).containsExactly(a.ids());
        assertThat(b.table().rows()).containsExactly(a.table().rows());
    }
}
