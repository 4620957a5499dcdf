package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link SpanSimOptions}: its checks, its defaults and when it asks for the approximate index. */
class SpanSimOptionsTest {
    private static final SpanSimOptions DEFAULTS = SpanSimOptions.defaults();

    private static SpanSimOptions with(int threads, SpanSimOptions.Approximate approximate, int probes,
                                       int spanCache) {
        return new SpanSimOptions(DEFAULTS.spanMode(), DEFAULTS.weigher(), null, false, threads, approximate, probes,
                spanCache);
    }

    @Test
    void constructor_outOfRangeCounts_throws() {
        assertThatThrownBy(() -> with(0, SpanSimOptions.Approximate.AUTO, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
        assertThatThrownBy(() -> with(1, SpanSimOptions.Approximate.AUTO, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probes");
        assertThatThrownBy(() -> with(1, SpanSimOptions.Approximate.AUTO, 1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spanCache");
        assertThatThrownBy(() -> with(1, null, 1, 0)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void defaults_none_textVectorsExactScanAndACache() {
        assertThat(DEFAULTS.spanMode()).isEqualTo(PoolIndex.SpanMode.TEXT);
        assertThat(DEFAULTS.weigher()).isSameAs(EnglishSpanWeigher.DEFAULT);
        assertThat(DEFAULTS.indexFile()).isNull();
        assertThat(DEFAULTS.quantize()).isFalse();
        assertThat(DEFAULTS.threads()).isBetween(1, 8);
        assertThat(DEFAULTS.approximate()).isEqualTo(SpanSimOptions.Approximate.AUTO);
        assertThat(DEFAULTS.probes()).isEqualTo(SpanSimOptions.DEFAULT_PROBES);
        assertThat(DEFAULTS.spanCache()).isEqualTo(SpanSimOptions.DEFAULT_SPAN_CACHE);
        SpanSimOptions seven = new SpanSimOptions(DEFAULTS.spanMode(), DEFAULTS.weigher(), null, true, 2,
                SpanSimOptions.Approximate.NEVER, 3);
        assertThat(seven.spanCache()).isZero();
    }

    @Test
    void approximateFor_poolSize_followsTheSetting() {
        int above = SpanSimOptions.AUTO_APPROXIMATE_ABOVE;
        assertThat(with(1, SpanSimOptions.Approximate.AUTO, 1, 0).approximateFor(above)).isFalse();
        assertThat(with(1, SpanSimOptions.Approximate.AUTO, 1, 0).approximateFor(above + 1)).isTrue();
        assertThat(with(1, SpanSimOptions.Approximate.NEVER, 1, 0).approximateFor(above + 1)).isFalse();
        assertThat(with(1, SpanSimOptions.Approximate.ALWAYS, 1, 0).approximateFor(1)).isTrue();
    }
}
