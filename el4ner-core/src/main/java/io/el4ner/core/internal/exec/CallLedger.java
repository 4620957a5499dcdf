package io.el4ner.core.internal.exec;

import io.el4ner.api.ChatResponse;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.Stage;
import io.el4ner.api.Usage;
import io.el4ner.api.UsageEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Collects the usage and diagnostics of one recognition. Thread-safe: members report from pool threads.
 *
 * <p>The diagnostics are bounded, because a hostile answer can be made of a million unreadable items: at most
 * {@value #MAX_PER_KIND} diagnostics of one kind are kept per member and stage; the others are counted, and one
 * summary diagnostic of that kind, member and stage, where the first was left out, says how many ("… and 37 more
 * malformed_item diagnostics not listed"). Nothing is dropped silently. Member failures and windowing notes are
 * never summarised: they come one per call or sentence, not from what an answer says.
 */
public final class CallLedger {
    /** Diagnostics kept at most per kind, member and stage; the others are counted in one summary. */
    public static final int MAX_PER_KIND = 20;

    private final List<UsageEntry> usage = new ArrayList<>();
    /** {@link Diagnostic}s and {@link Omitted} summaries, in report order. */
    private final List<Object> entries = new ArrayList<>();
    private final Map<Key, Integer> kept = new HashMap<>();
    private final Map<Key, Omitted> omitted = new HashMap<>();

    private record Key(Diagnostic.Kind kind, Stage stage, String member) {
    }

    /** How many diagnostics of one key were left out; mutable, under the ledger's lock. */
    private static final class Omitted {
        final Key key;
        long count;

        Omitted(Key key) {
            this.key = key;
        }

        Diagnostic toDiagnostic() {
            return new Diagnostic(key.kind(), key.stage(), key.member(), "… and " + count + " more "
                    + key.kind().name().toLowerCase(Locale.ROOT) + " diagnostics not listed (at most "
                    + MAX_PER_KIND + " are listed per member, stage and kind)", "");
        }
    }

    synchronized void success(Stage stage, String member, ChatResponse response, long millis) {
        var u = response.usage();
        usage.add(new UsageEntry(stage, member, 1, 0, u.promptTokens(), u.completionTokens(),
                u.reported() ? 0 : 1, millis));
    }

    synchronized void failure(Stage stage, String member, long millis) {
        usage.add(new UsageEntry(stage, member, 1, 1, 0, 0, 1, millis));
    }

    /**
     * Keeps a diagnostic, or counts it when {@value #MAX_PER_KIND} of its kind, member and stage are kept already.
     *
     * @param d a diagnostic to keep
     */
    public synchronized void report(Diagnostic d) {
        if (d.kind() == Diagnostic.Kind.MEMBER_FAILURE || d.kind() == Diagnostic.Kind.WINDOWED) {
            entries.add(d);
            return;
        }
        Key key = new Key(d.kind(), d.stage(), d.member());
        int n = kept.merge(key, 1, Integer::sum);
        if (n <= MAX_PER_KIND) {
            entries.add(d);
        } else {
            omit(key, 1);
        }
    }

    /**
     * Keeps the diagnostic the supplier makes, or only counts it, without making it, when {@value #MAX_PER_KIND} of
     * its kind, member and stage are kept already: a hostile answer can ask for a million of them.
     *
     * @param kind its kind
     * @param stage its stage
     * @param member its member; empty when none
     * @param diagnostic makes it, with the same kind, stage and member
     */
    public synchronized void report(Diagnostic.Kind kind, Stage stage, String member,
                                    Supplier<Diagnostic> diagnostic) {
        Key key = new Key(kind, stage, member);
        if (kept.getOrDefault(key, 0) >= MAX_PER_KIND && kind != Diagnostic.Kind.MEMBER_FAILURE
                && kind != Diagnostic.Kind.WINDOWED) {
            omit(key, 1);
        } else {
            report(diagnostic.get());
        }
    }

    /**
     * Counts diagnostics that were not made (a parser listed only the first problems of an answer), so that the
     * summary of their kind reports them.
     *
     * @param kind their kind
     * @param stage their stage
     * @param member their member; empty when none
     * @param count how many; nothing happens for 0
     */
    public synchronized void omitted(Diagnostic.Kind kind, Stage stage, String member, long count) {
        if (count > 0) {
            omit(new Key(kind, stage, member), count);
        }
    }

    private void omit(Key key, long count) {
        Omitted o = omitted.get(key);
        if (o == null) {
            o = new Omitted(key);
            omitted.put(key, o);
            entries.add(o);
        }
        o.count += count;
    }

    /**
     * Adds what another ledger collected (a sentence recognised in parallel), after what this one holds. Its
     * diagnostics are not limited again: each sentence keeps its own.
     *
     * @param other the other ledger, no longer written to
     */
    public void absorb(CallLedger other) {
        List<UsageEntry> u;
        List<Diagnostic> d;
        synchronized (other) {
            u = List.copyOf(other.usage);
            d = other.diagnostics();
        }
        synchronized (this) {
            usage.addAll(u);
            entries.addAll(d);
        }
    }

    /** @return the diagnostics so far, with a summary in place of those left out */
    public synchronized List<Diagnostic> diagnostics() {
        List<Diagnostic> out = new ArrayList<>(entries.size());
        for (Object e : entries) {
            out.add(e instanceof Omitted o ? o.toDiagnostic() : (Diagnostic) e);
        }
        return List.copyOf(out);
    }

    /**
     * @param wallMillis the recognition's wall time
     * @return the usage so far
     */
    public synchronized Usage usage(long wallMillis) {
        return new Usage(usage, wallMillis);
    }
}
