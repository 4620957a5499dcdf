package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallerRunsForkJoinTest {
    /** Starts a pool thread that begins a run of the call and holds it until {@code release}; returns once begun. */
    private static Thread helperHoldingARun(CallerRunsForkJoin.Helpers gate, CountDownLatch release)
            throws InterruptedException {
        CountDownLatch begun = new CountDownLatch(1);
        Thread helper = new Thread(() -> gate.run(() -> {
            begun.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        helper.start();
        assertThat(begun.await(10, TimeUnit.SECONDS)).as("the helper began its run").isTrue();
        return helper;
    }

    @Test
    void run_helperStartingAfterTheCallIsOver_doesNothing() {
        AtomicInteger next = new AtomicInteger(5);
        CallerRunsForkJoin.Helpers gate = new CallerRunsForkJoin.Helpers(next);
        assertThat(gate.closeAndAwait()).isFalse();
        AtomicBoolean ran = new AtomicBoolean();
        gate.run(() -> ran.set(true));
        assertThat(ran).isFalse();
        assertThat(next).hasValue(5);
        assertThat(gate.failure()).isNull();
    }

    @Test
    void closeAndAwait_helperHasBegun_waitsForIt() throws Exception {
        CallerRunsForkJoin.Helpers gate = new CallerRunsForkJoin.Helpers(new AtomicInteger(3));
        CountDownLatch release = new CountDownLatch(1);
        Thread helper = helperHoldingARun(gate, release);
        CountDownLatch closed = new CountDownLatch(1);
        Thread caller = new Thread(() -> {
            gate.closeAndAwait();
            closed.countDown();
        });
        caller.start();
        assertThat(closed.await(200, TimeUnit.MILLISECONDS)).as("returned while a helper was running").isFalse();
        release.countDown();
        assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        helper.join();
        caller.join();
    }

    @Test
    void run_helperFails_stopsTheOtherRunsAndKeepsTheFailure() {
        AtomicInteger next = new AtomicInteger(7);
        CallerRunsForkJoin.Helpers gate = new CallerRunsForkJoin.Helpers(next);
        IllegalStateException first = new IllegalStateException("first");
        gate.run(() -> {
            throw first;
        });
        gate.run(() -> {
            throw new IllegalArgumentException("second");
        });
        assertThat(next).hasValue(0);
        assertThat(gate.closeAndAwait()).isFalse();
        assertThat(gate.failure()).isSameAs(first);
        assertThat(first.getSuppressed()).extracting(Throwable::getMessage).containsExactly("second");
    }

    @Test
    void closeAndAwait_interruptedWhileWaiting_reportsItAndAbandonsTheRunsNotBegun() throws Exception {
        AtomicInteger next = new AtomicInteger(9);
        CallerRunsForkJoin.Helpers gate = new CallerRunsForkJoin.Helpers(next);
        CountDownLatch release = new CountDownLatch(1);
        Thread helper = helperHoldingARun(gate, release);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread caller = new Thread(() -> interrupted.set(gate.closeAndAwait()));
        caller.start();
        caller.interrupt();
        caller.join(200);
        assertThat(caller.isAlive()).as("still waits for the running helper").isTrue();
        release.countDown();
        caller.join(10_000);
        assertThat(interrupted).isTrue();
        assertThat(next).hasValue(0);
        helper.join();
    }

    @Test
    void run_severalThreads_runsEveryTaskOnce() {
        try (CallerRunsForkJoin forkJoin = new CallerRunsForkJoin(4, "test-fork-join-")) {
            java.util.concurrent.atomic.AtomicIntegerArray runs = new java.util.concurrent.atomic.AtomicIntegerArray(50);
            forkJoin.run(50, () -> runs::incrementAndGet, "testing");
            for (int i = 0; i < 50; i++) {
                assertThat(runs.get(i)).as("task " + i).isEqualTo(1);
            }
        }
    }

    @Test
    void run_taskFails_throwsItsFailure() {
        try (CallerRunsForkJoin forkJoin = new CallerRunsForkJoin(1, "test-fork-join-")) {
            IllegalStateException failure = new IllegalStateException("task 3");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> forkJoin.run(5, () -> task -> {
                if (task == 3) {
                    throw failure;
                }
            }, "testing")).isSameAs(failure);
        }
    }

    @Test
    void run_callerInterrupted_throwsEl4nerExceptionAndKeepsTheInterrupt() {
        try (CallerRunsForkJoin forkJoin = new CallerRunsForkJoin(2, "test-fork-join-")) {
            Thread.currentThread().interrupt();
            try {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> forkJoin.run(2, () -> task -> { }, "testing"))
                        .isInstanceOf(io.el4ner.api.El4nerException.class).hasMessage("interrupted while testing");
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }
}
