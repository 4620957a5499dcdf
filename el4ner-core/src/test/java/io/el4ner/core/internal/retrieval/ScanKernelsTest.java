package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ScanKernels}: the row-major dot products agree bit for bit with the dimension-major pass. */
class ScanKernelsTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 9, 384})
    void dot_anyDimension_isBitForBitTheScan(int d) {
        SplittableRandom r = new SplittableRandom(d);
        int n = 37;
        float[] rows = new float[n * d];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) r.nextGaussian();
        }
        VectorTable table = VectorTable.ofRows(rows, d);
        float[] q = new float[d];
        for (int t = 0; t < d; t++) {
            q[t] = (float) r.nextGaussian();
        }
        float[] out = new float[n];
        ScanKernels.dots(table.columns(), q, out, 0, n);
        float[] part = new float[n];
        ScanKernels.dots(table.columns(), q, part, 5, 30);
        float[] byRows = new float[n];
        ScanKernels.dotRowRange(rows, q, byRows, 0, n);
        float[] picked = new float[n];
        int[] some = {3, 0, 36, 7, 8, 9, 20};
        ScanKernels.dotRows(rows, some, some.length, q, picked);
        for (int v : some) {
            assertThat(picked[v]).isEqualTo(out[v]);
        }
        for (int v = 0; v < n; v++) {
            assertThat(ScanKernels.dot(rows, v, q)).isEqualTo(out[v]);
            assertThat(byRows[v]).isEqualTo(out[v]);
            assertThat(out[v]).isCloseTo(VectorMath.dot(q, table.vector(v)), within(1e-5f * d));
            if (v >= 5 && v < 30) {
                assertThat(part[v]).isEqualTo(out[v]);
            } else {
                assertThat(part[v]).isZero();
            }
        }
    }
}
