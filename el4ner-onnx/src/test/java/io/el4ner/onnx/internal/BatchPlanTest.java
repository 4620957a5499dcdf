package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchPlanTest {
    @Test
    void runs_cutSortedLengthsWhereThePaddingWouldGrowTooLarge() {
        // same lengths: only the batch size cuts
        assertThat(BatchPlan.runs(new int[] {10, 10, 10, 10, 10}, 2)).containsExactly(0, 2, 4, 5);
        // 8 and 22 together: 44 padded slots for 30 real ones is within a fifth plus 16
        assertThat(BatchPlan.runs(new int[] {8, 22}, 32)).containsExactly(0, 2);
        // 5 and 60: 120 slots for 65 real ones is not
        assertThat(BatchPlan.runs(new int[] {5, 5, 5, 60}, 32)).containsExactly(0, 3, 4);
        // many short then a few long texts: the long ones get their own run
        int[] lengths = new int[40];
        Arrays.fill(lengths, 0, 36, 12);
        Arrays.fill(lengths, 36, 40, 120);
        assertThat(BatchPlan.runs(lengths, 32)).containsExactly(0, 32, 36, 40);
        assertThat(BatchPlan.runs(new int[] {7}, 32)).containsExactly(0, 1);
        assertThat(BatchPlan.runs(new int[0], 32)).containsExactly(0);
    }

    @Test
    void of_unsortedLengths_runsHoldTextsByAscendingLength() {
        BatchPlan plan = BatchPlan.of(new int[] {30, 5, 10}, 32, false);
        assertThat(plan.runs()).isEqualTo(2);
        assertThat(plan.texts(0)).containsExactly(1, 2);
        assertThat(plan.texts(1)).containsExactly(0);
    }

    @Test
    void of_alone_makesOneRunPerText() {
        BatchPlan plan = BatchPlan.of(new int[] {30, 5, 10}, 32, true);
        assertThat(plan.runs()).isEqualTo(3);
        assertThat(plan.texts(0)).containsExactly(1);
        assertThat(plan.texts(1)).containsExactly(2);
        assertThat(plan.texts(2)).containsExactly(0);
    }
}
