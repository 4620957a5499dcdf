package io.el4ner.core.internal.pipeline;

import io.el4ner.api.Diagnostic;
import io.el4ner.api.Entity;
import io.el4ner.api.Stage;
import io.el4ner.core.internal.exec.CallLedger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The last step, unless nested entities are allowed: of overlapping entities one is kept. Also applied across the
 * windows of a long sentence once their entities are merged.
 */
final class OverlapResolution {
    private OverlapResolution() {
    }

    /**
     * Keeps the most confident of overlapping entities, then the longest, then the earliest, and reports the others.
     *
     * @param entities entities of one text
     * @param ledger where dropped entities are reported
     * @return the kept entities sorted by offset
     */
    static List<Entity> resolve(List<Entity> entities, CallLedger ledger) {
        List<Entity> order = new ArrayList<>(entities);
        order.sort(Comparator.comparingDouble(Entity::confidence).reversed()
                .thenComparing(Comparator.comparingInt((Entity e) -> e.end() - e.start()).reversed())
                .thenComparingInt(Entity::start));
        List<Entity> kept = new ArrayList<>();
        for (Entity e : order) {
            Optional<Entity> clash = kept.stream().filter(x -> x.start() < e.end() && e.start() < x.end()).findFirst();
            if (clash.isPresent()) {
                ledger.report(new Diagnostic(Diagnostic.Kind.OVERLAP_RESOLVED, Stage.CLASSIFICATION, "",
                        "dropped '" + e.text() + "' (" + e.type() + ") because it overlaps '" + clash.get().text()
                                + "' (" + clash.get().type() + ")", e.text()));
            } else {
                kept.add(e);
            }
        }
        kept.sort(Comparator.comparingInt(Entity::start).thenComparingInt(Entity::end));
        return kept;
    }
}
