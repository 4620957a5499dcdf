package io.el4ner.cli;

import java.time.Duration;
import java.util.Locale;

/**
 * The estimated time left, as {@code recognize} and {@code evaluate} print it in their progress lines: {@code 4m09s}
 * under an hour, {@code 1h05m} from an hour on. It is rounded up to the unit shown, and never reads {@code 0m00s}
 * while work remains.
 */
final class Eta {
    private Eta() {
    }

    /**
     * @param millis the estimated milliseconds left; negative when there is no estimate yet
     * @param workLeft whether some work remains (then the result is at least {@code 0m01s})
     * @return e.g. {@code 0m01s} for 1 ms, {@code 1h01m} for one hour and one second; {@code ?} when negative
     */
    static String format(long millis, boolean workLeft) {
        if (millis < 0) {
            return "?";
        }
        long seconds = Math.max(ceilDiv(millis, 1000), workLeft ? 1 : 0);
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        long minutes = ceilDiv(seconds, 60);
        return String.format(Locale.ROOT, "%dh%02dm", minutes / 60, minutes % 60);
    }

    /**
     * @param remaining the estimated time left
     * @param workLeft whether some work remains
     * @return as {@link #format(long, boolean)}, the nanoseconds rounded up to whole milliseconds first
     */
    static String format(Duration remaining, boolean workLeft) {
        long nanos = remaining.toNanos();
        return format(nanos < 0 ? -1 : ceilDiv(nanos, 1_000_000), workLeft);
    }

    private static long ceilDiv(long a, long b) {
        return a / b + (a % b == 0 ? 0 : 1);
    }
}
