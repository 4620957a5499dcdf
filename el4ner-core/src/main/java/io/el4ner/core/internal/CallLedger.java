package io.el4ner.core.internal;

import io.el4ner.api.ChatResponse;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.Stage;
import io.el4ner.api.Usage;
import io.el4ner.api.UsageEntry;
import java.util.ArrayList;
import java.util.List;

/** Collects the usage and diagnostics of one recognition. Thread-safe: members report from pool threads. */
public final class CallLedger {
    private final List<UsageEntry> usage = new ArrayList<>();
    private final List<Diagnostic> diagnostics = new ArrayList<>();

    synchronized void success(Stage stage, String member, ChatResponse response, long millis) {
        var u = response.usage();
        usage.add(new UsageEntry(stage, member, 1, 0, u.promptTokens(), u.completionTokens(),
                u.reported() ? 0 : 1, millis));
    }

    synchronized void failure(Stage stage, String member, long millis) {
        usage.add(new UsageEntry(stage, member, 1, 1, 0, 0, 1, millis));
    }

    /** @param d a diagnostic to keep */
    public synchronized void report(Diagnostic d) {
        diagnostics.add(d);
    }

    /**
     * Adds what another ledger collected (a sentence recognised in parallel), after what this one holds.
     *
     * @param other the other ledger, no longer written to
     */
    public void absorb(CallLedger other) {
        List<UsageEntry> u;
        List<Diagnostic> d;
        synchronized (other) {
            u = List.copyOf(other.usage);
            d = List.copyOf(other.diagnostics);
        }
        synchronized (this) {
            usage.addAll(u);
            diagnostics.addAll(d);
        }
    }

    /** @return the diagnostics so far */
    public synchronized List<Diagnostic> diagnostics() {
        return List.copyOf(diagnostics);
    }

    /**
     * @param wallMillis the recognition's wall time
     * @return the usage so far
     */
    public synchronized Usage usage(long wallMillis) {
        return new Usage(usage, wallMillis);
    }
}
