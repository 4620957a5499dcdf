package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void run_parts_runOnTheCallerAndOnDaemonSpanSimThreads() {
        Map<Integer, Thread> threads = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(3);
        try (Parallel parallel = new Parallel(3, 1)) {
            parallel.run(3, p -> {
                threads.put(p, Thread.currentThread());
                all.countDown();
                try {
                    all.await(); // every part at once: each on its own thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(threads).containsOnlyKeys(0, 1, 2);
        assertThat(threads.get(0)).isSameAs(Thread.currentThread());
        for (int p = 1; p < 3; p++) {
            assertThat(threads.get(p).isDaemon()).isTrue();
            assertThat(threads.get(p).getName()).matches("el4ner-span-sim-\\d+-[12]");
        }
    }

    @Test
    void run_afterClose_throwsIse() {
        Parallel parallel = new Parallel(2, 1);
        parallel.close();
        assertThatThrownBy(() -> parallel.run(2, p -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void partsFor_smallWork_staysOnTheCaller() {
        try (Parallel parallel = new Parallel(4)) {
            assertThat(parallel.partsFor(1000, 100)).isEqualTo(1);
            assertThat(parallel.partsFor(Parallel.DEFAULT_MIN_WORK * 8, 100)).isEqualTo(4);
        }
    }
}
