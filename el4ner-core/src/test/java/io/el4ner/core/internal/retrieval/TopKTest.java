package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link TopK}: the best {@code k}, ties to the lower index, whatever the order of offers. */
class TopKTest {
    @Test
    void sorted_randomOffers_keepsTheBestWithLowerIndexOnTies() {
        SplittableRandom r = new SplittableRandom(1);
        for (int trial = 0; trial < 50; trial++) {
            int k = r.nextInt(12);
            TopK top = new TopK(k);
            List<float[]> all = new ArrayList<>();
            int n = r.nextInt(200);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                order.add(i);
            }
            java.util.Collections.shuffle(order, new java.util.Random(trial));
            for (int i : order) {
                float s = r.nextInt(10) / 10f;
                all.add(new float[] {s, i});
                top.offer(s, i);
            }
            all.sort(Comparator.<float[]>comparingDouble(a -> -a[0]).thenComparingDouble(a -> a[1]));
            Hits h = top.sorted();
            assertThat(h.size()).isEqualTo(Math.min(k, n));
            for (int i = 0; i < h.size(); i++) {
                assertThat(h.index(i)).isEqualTo((int) all.get(i)[1]);
                assertThat(h.score(i)).isEqualTo(all.get(i)[0]);
            }
        }
    }
}
