package io.el4ner.hub;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Told how a download goes: once when it starts, now and then while bytes arrive, and once when it is complete.
 * Called on the thread that called {@link HubClient}; an implementation must be quick and must not throw.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface HubProgress {
    /** Reports nothing. */
    HubProgress NONE = t -> { };

    /**
     * How a download stands.
     *
     * @param repo the repository id
     * @param file the file's path in the repository
     * @param bytesDone the bytes of the file on disk now (a resumed download starts above 0)
     * @param bytesTotal the file's size
     * @param bytesPerSecond the rate of this download so far (0 at the start)
     * @param done whether the file is complete
     */
    record Transfer(String repo, String file, long bytesDone, long bytesTotal, double bytesPerSecond,
                    boolean done) {
        /** Validates the components. */
        public Transfer {
            Objects.requireNonNull(repo, "repo");
            Objects.requireNonNull(file, "file");
        }

        /** @return the time left at the rate so far, when there is a rate */
        public Optional<Duration> eta() {
            if (done) {
                return Optional.of(Duration.ZERO);
            }
            if (bytesPerSecond <= 0) {
                return Optional.empty();
            }
            double seconds = Math.max(0, bytesTotal - bytesDone) / bytesPerSecond;
            return Optional.of(Duration.ofMillis((long) Math.min(seconds * 1000, Long.MAX_VALUE / 2.0)));
        }
    }

    /**
     * @param transfer how the download stands
     */
    void update(Transfer transfer);

    /**
     * One line per report, at most every half second, for files of at least {@code minBytes}: {@code
     * "Downloading org/name model.onnx: 12.5 MB of 300.0 MB (4%), 6.1 MB/s, 47 s left"}.
     *
     * @param out where to write (stderr, for a command-line tool whose stdout is its result)
     * @param minBytes smaller files are not reported
     * @return the reporter
     */
    static HubProgress printingTo(PrintStream out, long minBytes) {
        Objects.requireNonNull(out, "out");
        return new HubProgress() {
            private String file;
            private long lastNanos;

            @Override
            public synchronized void update(Transfer t) {
                if (t.bytesTotal() < minBytes) {
                    return;
                }
                long now = System.nanoTime();
                boolean first = !(t.repo() + " " + t.file()).equals(file);
                if (!t.done() && !first && now - lastNanos < 500_000_000L) {
                    return;
                }
                file = t.done() ? null : t.repo() + " " + t.file();
                lastNanos = now;
                out.println(describe(t));
            }
        };
    }

    /**
     * @param t a transfer
     * @return one line of text that says how it stands
     */
    static String describe(Transfer t) {
        StringBuilder b = new StringBuilder(t.done() ? "Downloaded " : "Downloading ")
                .append(t.repo()).append(' ').append(t.file()).append(": ");
        if (t.done()) {
            return b.append(megabytes(t.bytesTotal())).toString();
        }
        b.append(megabytes(t.bytesDone())).append(" of ").append(megabytes(t.bytesTotal()));
        if (t.bytesTotal() > 0) {
            b.append(" (").append(t.bytesDone() * 100 / t.bytesTotal()).append("%)");
        }
        if (t.bytesPerSecond() > 0) {
            b.append(", ").append(megabytes((long) t.bytesPerSecond())).append("/s");
        }
        t.eta().ifPresent(eta -> b.append(", ").append(eta.toSeconds()).append(" s left"));
        return b.toString();
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
